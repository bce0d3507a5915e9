// The limit to compare against: node:http answering the same JSON as GET /health/live, nothing else.
const http = require('node:http');
const body = JSON.stringify({ status: 'ok' });
const port = Number(process.env.PORT || 3198);
http
  .createServer((req, res) => {
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  })
  .listen(port, '127.0.0.1');
