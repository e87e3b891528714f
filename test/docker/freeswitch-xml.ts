/**
 * Reading an assembled FreeSWITCH document the way its modules do: a
 * `<configuration name="x.conf">` per module (switch_xml_open_cfg), `<param
 * name value>` settings, sofia `<profile>`s, dialplan `<context>`s with
 * `<extension>` / `<condition>` / `<action>` (mod_dialplan_xml.c).
 */
import { XMLParser } from 'fast-xml-parser';

export interface XmlNode {
  readonly [key: string]: XmlNode[] | string | undefined;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // Every element is a list, so a single <param> reads like many.
  isArray: (_name, _jpath, _isLeaf, isAttribute) => !isAttribute,
  parseAttributeValue: false,
});

export function parseDocument(text: string): XmlNode {
  const root = parser.parse(text) as XmlNode;
  const doc = children(root, 'document')[0];
  if (!doc) throw new Error('no <document> root');
  return doc;
}

export function children(node: XmlNode | undefined, tag: string): XmlNode[] {
  const value = node?.[tag];
  return Array.isArray(value) ? value : [];
}

export function attr(node: XmlNode | undefined, name: string): string | undefined {
  const value = node?.[name];
  return typeof value === 'string' ? value : undefined;
}

export function section(doc: XmlNode, name: string): XmlNode {
  const found = children(doc, 'section').find((s) => attr(s, 'name') === name);
  if (!found) throw new Error(`no section ${name}`);
  return found;
}

export function configurationNames(doc: XmlNode): string[] {
  return children(section(doc, 'configuration'), 'configuration').map((c) => attr(c, 'name') ?? '');
}

export function configuration(doc: XmlNode, name: string): XmlNode {
  const found = children(section(doc, 'configuration'), 'configuration').find((c) => attr(c, 'name') === name);
  if (!found) throw new Error(`no configuration ${name}`);
  return found;
}

/** `<param name value>` children of a `<settings>` block, as FreeSWITCH reads them (last one wins). */
export function params(settingsParent: XmlNode, block = 'settings'): Record<string, string> {
  const result: Record<string, string> = {};
  for (const settings of children(settingsParent, block)) {
    for (const p of children(settings, 'param')) result[attr(p, 'name') ?? ''] = attr(p, 'value') ?? '';
  }
  return result;
}

export interface AclList {
  readonly name: string;
  readonly default: string;
  readonly nodes: readonly { readonly type: string; readonly cidr: string }[];
}

export function aclLists(doc: XmlNode): AclList[] {
  const lists = children(children(configuration(doc, 'acl.conf'), 'network-lists')[0], 'list');
  return lists.map((l) => ({
    name: attr(l, 'name') ?? '',
    default: attr(l, 'default') ?? '',
    nodes: children(l, 'node').map((n) => ({ type: attr(n, 'type') ?? '', cidr: attr(n, 'cidr') ?? '' })),
  }));
}

export function sofiaProfiles(doc: XmlNode): { name: string; settings: Record<string, string> }[] {
  const profiles = children(children(configuration(doc, 'sofia.conf'), 'profiles')[0], 'profile');
  return profiles.map((p) => ({ name: attr(p, 'name') ?? '', settings: params(p) }));
}

export interface Extension {
  readonly name: string;
  readonly field: string;
  readonly expression: string;
  readonly actions: readonly (readonly [string, string])[];
}

export function dialplanContexts(doc: XmlNode): Map<string, Extension[]> {
  const contexts = new Map<string, Extension[]>();
  for (const ctx of children(section(doc, 'dialplan'), 'context')) {
    contexts.set(attr(ctx, 'name') ?? '', children(ctx, 'extension').map(readExtension));
  }
  return contexts;
}

function readExtension(ext: XmlNode): Extension {
  const conditions = children(ext, 'condition');
  if (conditions.length !== 1) throw new Error(`extension ${attr(ext, 'name')} must have one condition`);
  const cond = conditions[0]!;
  return {
    name: attr(ext, 'name') ?? '',
    field: attr(cond, 'field') ?? '',
    expression: attr(cond, 'expression') ?? '',
    actions: children(cond, 'action').map((a) => [attr(a, 'application') ?? '', attr(a, 'data') ?? ''] as const),
  };
}

/**
 * The extension mod_dialplan_xml would run for a destination: the first whose
 * condition matches. FreeSWITCH uses PCRE; these expressions are plain enough
 * that JavaScript regexes agree with it.
 */
export function route(extensions: readonly Extension[], destination: string): Extension | undefined {
  return extensions.find((e) => e.field === 'destination_number' && new RegExp(e.expression).test(destination));
}
