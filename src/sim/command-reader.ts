/**
 * Client commands off the wire, incrementally, as mod_event_socket.c
 * read_packet() reads them: a command is a first line (`api status`,
 * `sendmsg <uuid>`) then `Name: value` lines, ended by an empty line (CRs are
 * ignored, so `\r\n\r\n` ends one too); blank lines before a command are
 * skipped; a `content-length` header (any case) makes the next N bytes the
 * body. A header block that reaches FreeSWITCH's 10 MB limit without its empty
 * line is taken as ended there, as read_packet does.
 */

export interface ClientCommand {
  /** The first line, CR/LF stripped. */
  readonly line: string;
  /** The following `Name: value` lines, in order (value with leading spaces stripped). */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer | undefined;
}

export const MAX_COMMAND_BYTES = 10 * 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;

export class CommandReader {
  readonly #onCommand: (command: ClientCommand) => void;
  #buf: Buffer = Buffer.alloc(0);
  /** Where the scan for the end of the header block resumes. */
  #scanFrom = 0;
  /** Bytes to drop once the header block found by #findBlockEnd() is taken. */
  #blockConsumed = 0;
  /** Set while the body of a command is awaited; its chunks are joined once, when complete. */
  #pending: { line: string; headers: Array<[string, string]>; length: number; parts: Buffer[]; have: number } | undefined;

  constructor(onCommand: (command: ClientCommand) => void) {
    this.#onCommand = onCommand;
  }

  write(chunk: Uint8Array): void {
    let data: Buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (;;) {
      const pending = this.#pending;
      if (pending) {
        const take = Math.min(pending.length - pending.have, data.length);
        if (take > 0) {
          pending.parts.push(Buffer.from(data.subarray(0, take)));
          pending.have += take;
          data = data.subarray(take);
        }
        if (pending.have < pending.length) return;
        this.#pending = undefined;
        const body = pending.parts.length === 1 ? pending.parts[0]! : Buffer.concat(pending.parts, pending.length);
        this.#onCommand({ line: pending.line, headers: pending.headers, body });
        continue;
      }
      if (data.length > 0) {
        this.#buf = this.#buf.length === 0 ? Buffer.from(data) : Buffer.concat([this.#buf, data]);
        data = data.subarray(data.length);
      }
      this.#skipLeadingBlankLines();
      const end = this.#findBlockEnd();
      if (end < 0) return;
      const block = this.#buf.toString('utf8', 0, end);
      // What follows the block goes through the loop again (body first, then the next command).
      data = this.#buf.subarray(this.#blockConsumed);
      this.#buf = Buffer.alloc(0);
      this.#scanFrom = 0;
      const parsed = parseBlock(block);
      if (parsed.length > 0) {
        this.#pending = { line: parsed.line, headers: parsed.headers, length: parsed.length, parts: [], have: 0 };
        continue;
      }
      this.#onCommand({ line: parsed.line, headers: parsed.headers, body: undefined });
      if (data.length === 0) return;
    }
  }

  /** Bytes held while a command is incomplete. */
  get buffered(): number {
    return this.#buf.length;
  }

  #skipLeadingBlankLines(): void {
    let i = 0;
    while (i < this.#buf.length && (this.#buf[i] === LF || this.#buf[i] === CR)) i++;
    if (i > 0) {
      this.#buf = this.#buf.subarray(i);
      this.#scanFrom = 0;
    }
  }

  /**
   * The end of the header block (exclusive), or -1. Two LFs with only CRs
   * between them end it; #blockConsumed is set to the bytes to drop.
   */
  #findBlockEnd(): number {
    const buf = this.#buf;
    let i = this.#scanFrom;
    while (i < buf.length) {
      const lf = buf.indexOf(LF, i);
      if (lf < 0) break;
      let j = lf + 1;
      while (j < buf.length && buf[j] === CR) j++;
      if (j < buf.length && buf[j] === LF) {
        this.#blockConsumed = j + 1;
        return lf;
      }
      if (j >= buf.length) {
        // The next byte decides; look again from this LF when it comes.
        this.#scanFrom = lf;
        return this.#limitReached();
      }
      i = j;
    }
    this.#scanFrom = Math.max(0, buf.length - 1);
    return this.#limitReached();
  }

  #limitReached(): number {
    if (this.#buf.length < MAX_COMMAND_BYTES) return -1;
    this.#blockConsumed = this.#buf.length;
    return this.#buf.length;
  }
}

interface ParsedBlock {
  line: string;
  headers: Array<[string, string]>;
  length: number;
}

function parseBlock(block: string): ParsedBlock {
  const lines = block.split('\n');
  const line = stripCr(lines[0] ?? '');
  const headers: Array<[string, string]> = [];
  let length = 0;
  for (let i = 1; i < lines.length; i++) {
    const raw = stripCr(lines[i]!);
    if (raw === '') continue;
    const colon = raw.indexOf(':');
    // read_packet keeps only `name: value` lines with a name.
    if (colon <= 0) continue;
    const name = raw.slice(0, colon);
    const value = raw.slice(colon + 1).replace(/^ +/, '');
    headers.push([name, value]);
    if (name.toLowerCase() === 'content-length') {
      const n = Number.parseInt(value, 10);
      length = Number.isFinite(n) && n > 0 ? n : 0;
    }
  }
  return { line, headers, length };
}

/** strip_cr(): cut at the first CR. */
function stripCr(s: string): string {
  const cr = s.indexOf('\r');
  return cr < 0 ? s : s.slice(0, cr);
}
