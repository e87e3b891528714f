/**
 * What every command that talks to FreeSWITCH shares: HOST[:port] arguments,
 * `--sim` for an embedded simulator, and the password from the flag, then
 * `ESL_PASSWORD`, then FreeSWITCH's default `ClueCon`.
 */

import { type Command, InvalidArgumentError as CommanderArgumentError, Option } from 'commander';
import { InvalidArgumentError } from '../errors.js';

export const DEFAULT_PORT = 8021;
export const DEFAULT_PASSWORD = 'ClueCon';

export interface ConnectFlags {
  password: string;
  port: number;
  sim?: boolean;
}

export interface HostPort {
  host: string;
  port: number;
}

export function addConnectOptions(command: Command): Command {
  return command
    .addOption(passwordOption())
    .addOption(new Option('--port <port>', 'port for a HOST given without one').default(DEFAULT_PORT).argParser(portArg))
    .option('--sim', 'run against an embedded FreeSWITCH simulator');
}

/** `host`, `host:port`, `[v6]`, `[v6]:port`, or a bare IPv6 address (more than one colon). */
export function parseHost(spec: string, defaultPort: number = DEFAULT_PORT): HostPort {
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(spec);
  let host: string;
  let port: string | undefined;
  if (bracketed) [, host = '', port] = bracketed;
  else if (spec.indexOf(':') !== spec.lastIndexOf(':')) host = spec;
  else [host = '', port] = spec.split(':');
  if (host === '') throw new InvalidArgumentError(`bad HOST "${spec}": no host name`);
  if (port === undefined) return { host, port: defaultPort };
  const n = parsePort(port);
  if (n === undefined) throw new InvalidArgumentError(`bad HOST "${spec}": port must be 1-65535`);
  return { host, port: n };
}

function parsePort(text: string): number | undefined {
  const n = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  return n >= 1 && n <= 65535 ? n : undefined;
}

function portArg(text: string): number {
  const n = parsePort(text);
  if (n === undefined) throw new CommanderArgumentError('port must be 1-65535');
  return n;
}

/** A port to listen on: 0 asks the OS for a free one. */
export function listenPortArg(text: string): number {
  if (text.trim() === '0') return 0;
  return portArg(text);
}

export function passwordOption(): Option {
  return new Option('--password <password>', 'ESL password').env('ESL_PASSWORD').default(DEFAULT_PASSWORD);
}
