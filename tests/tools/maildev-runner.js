// Runs maildev's own command line, but keeps the SMTP sink alive when a client drops a
// connection mid-message: maildev 2 rethrows such socket errors (EPIPE, ECONNRESET) from an
// event handler, which would end the process and fail every later test that reads mail. A test
// host shut down while its dispatcher is sending does exactly that.
'use strict'
process.on('uncaughtException', (err) => {
  const code = err && err.code
  if (code === 'EPIPE' || code === 'ECONNRESET' || code === 'ERR_STREAM_DESTROYED') {
    console.error(`maildev-runner: ignored ${code} from a dropped SMTP connection`)
    return
  }
  console.error(err)
  process.exit(1)
})
require('maildev/bin/maildev')
