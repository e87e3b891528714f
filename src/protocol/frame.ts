/**
 * One ESL frame: the outer header block and, when it has a Content-Length, the
 * body in bytes. Outer header values are kept as sent (FreeSWITCH only
 * percent-encodes inside event-plain bodies, not in the outer block), except
 * `Reply-Text` of an outbound `connect` reply, which the caller may decode.
 */
export interface Frame {
  /** The `Content-Type` header, or '' when absent. */
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | undefined;
}
