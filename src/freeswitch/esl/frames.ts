/**
 * Splits the byte stream a switch sends into frames. mod_event_socket writes every message as
 * `Name: value` header lines ended by an empty line, followed by exactly Content-Length bytes of
 * body when that header is present (api/response, text/event-json, log/data,
 * text/disconnect-notice). TCP may cut a frame anywhere, including inside a multi-byte UTF-8
 * character, so bytes are kept until a frame is whole and only then decoded.
 */

export interface EslFrame {
  /** Envelope headers by lower-cased name (`content-type`, `reply-text`, `job-uuid`...). */
  headers: Record<string, string>;
  /** Exactly Content-Length bytes; empty when the frame has none. */
  body: Buffer;
}

/** The peer sent something that is not an Event Socket frame: the stream cannot be trusted after it. */
export class EslProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EslProtocolError';
  }
}

// A header block is a few hundred bytes; anything far larger is not Event Socket traffic.
const MAX_HEADER_BYTES = 64 * 1024;
// `show channels as json` on a busy switch is megabytes; a length beyond this is garbage.
const MAX_BODY_BYTES = 256 * 1024 * 1024;
const LF = 0x0a;
const CR = 0x0d;

export class EslFrameParser {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Headers of a frame whose body is still arriving. */
  private awaitingBody: { headers: Record<string, string>; length: number } | undefined;

  /** Adds received bytes; returns the frames they complete, in order. Throws EslProtocolError. */
  push(chunk: Buffer): EslFrame[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: EslFrame[] = [];
    for (;;) {
      if (this.awaitingBody) {
        if (this.buffered < this.awaitingBody.length) return frames;
        const bytes = this.take();
        const { headers, length } = this.awaitingBody;
        this.awaitingBody = undefined;
        frames.push({ headers, body: Buffer.from(bytes.subarray(0, length)) });
        this.keep(bytes.subarray(length));
        continue;
      }
      const bytes = this.take();
      const block = headerBlock(bytes);
      if (!block) {
        if (bytes.length > MAX_HEADER_BYTES) throw new EslProtocolError(`no end of headers within ${MAX_HEADER_BYTES} bytes`);
        this.keep(bytes);
        return frames;
      }
      const headers = parseHeaders(block.lines);
      this.keep(bytes.subarray(block.end));
      const length = contentLength(headers);
      if (length === 0) frames.push({ headers, body: Buffer.alloc(0) });
      else this.awaitingBody = { headers, length };
    }
  }

  private take(): Buffer {
    const bytes = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    this.chunks = [];
    this.buffered = 0;
    return bytes;
  }

  private keep(rest: Buffer): void {
    if (rest.length === 0) return;
    this.chunks = [rest];
    this.buffered = rest.length;
  }
}

/** The header lines up to the first empty line, and the offset just past it; undefined if not there yet. */
function headerBlock(bytes: Buffer): { lines: string[]; end: number } | undefined {
  let start = 0;
  // Stray line ends between frames carry nothing (mod_event_socket skips them the same way).
  while (start < bytes.length && (bytes[start] === LF || bytes[start] === CR)) start++;
  const lines: string[] = [];
  for (let lineStart = start; ; ) {
    const lineEnd = bytes.indexOf(LF, lineStart);
    if (lineEnd < 0) return undefined;
    const textEnd = lineEnd > lineStart && bytes[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
    if (textEnd === lineStart) return { lines, end: lineEnd + 1 };
    lines.push(bytes.toString('utf8', lineStart, textEnd));
    lineStart = lineEnd + 1;
  }
}

function parseHeaders(lines: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new EslProtocolError(`malformed header line "${line.slice(0, 80)}"`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trimStart();
  }
  if (headers['content-type'] === undefined) throw new EslProtocolError('frame without Content-Type');
  return headers;
}

function contentLength(headers: Record<string, string>): number {
  const raw = headers['content-length'];
  if (raw === undefined) return 0;
  if (!/^\d+$/.test(raw) || Number(raw) > MAX_BODY_BYTES) throw new EslProtocolError(`bad Content-Length "${raw.slice(0, 20)}"`);
  return Number(raw);
}
