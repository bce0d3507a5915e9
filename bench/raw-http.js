// A minimal HTTP/1.1 client over keep-alive sockets, for load generators that must not be the noise they measure:
// the request is written as one prepared string and the answer read as bytes, so a request allocates next to
// nothing. Node's http.request (~10 kB and ~50 µs a request here) gave a load worker event-loop stalls of 16–31 ms
// and a p99 of 4–9 ms against a server that does nothing (wrk: 1.1–1.4 ms on the same machine).
// Answers must carry Content-Length (Fastify's do) unless they are 204 or 304; a chunked one is refused as an error.
const net = require('node:net');

const HEADER_END = Buffer.from('\r\n\r\n');

class RawHttpClient {
  constructor(base, { maxSockets = 64 } = {}) {
    const url = new URL(base);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.hostHeader = url.host;
    this.maxSockets = maxSockets;
    this.sockets = 0;
    this.idle = [];
    this.waiting = [];
  }

  /** Sends `method path` with `headers` (already `Name: value\r\n` lines) and a string body; resolves { status, body }. */
  request(method, path, headers, body = '') {
    const head = `${method} ${path} HTTP/1.1\r\nHost: ${this.hostHeader}\r\n${headers}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    return new Promise((resolve, reject) => {
      const job = { text: head + body, resolve, reject };
      const socket = this.idle.pop();
      if (socket) this.send(socket, job);
      else if (this.sockets < this.maxSockets) this.send(this.open(), job);
      else this.waiting.push(job);
    });
  }

  close() {
    for (const s of this.idle) s.destroy();
    this.idle = [];
  }

  open() {
    this.sockets++;
    const socket = net.connect(this.port, this.host);
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.read(socket, chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.sockets--;
      const i = this.idle.indexOf(socket);
      if (i >= 0) this.idle.splice(i, 1);
      socket.job?.reject(new Error('connection closed'));
      socket.job = undefined;
      const next = this.waiting.shift();
      if (next) this.send(this.open(), next);
    });
    return socket;
  }

  send(socket, job) {
    socket.job = job;
    socket.write(job.text);
  }

  read(socket, chunk) {
    const job = socket.job;
    if (!job) return socket.destroy();
    const buffer = socket.buffer ? Buffer.concat([socket.buffer, chunk]) : chunk;
    const end = buffer.indexOf(HEADER_END);
    if (end < 0) return void (socket.buffer = buffer);
    const head = buffer.toString('latin1', 0, end).toLowerCase();
    const status = Number(head.slice(9, 12));
    const declared = /\r\ncontent-length: *(\d+)/.exec(head);
    const length = status === 204 || status === 304 ? 0 : declared && Number(declared[1]);
    if (length === null) {
      socket.job = undefined;
      socket.destroy();
      return job.reject(new Error(`an answer without content-length: ${head.slice(0, 80)}`));
    }
    const total = end + 4 + length;
    if (buffer.length < total) return void (socket.buffer = buffer);
    socket.job = undefined;
    socket.buffer = undefined;
    job.resolve({ status, body: buffer.subarray(end + 4, total) });
    const next = this.waiting.shift();
    if (next) this.send(socket, next);
    else this.idle.push(socket);
  }
}

module.exports = { RawHttpClient };
