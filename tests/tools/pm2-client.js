'use strict'
// Drives Gatehouse's dialect "keymetrics" with PM2.io's own client library, @pm2/js-api, as a new
// user would: register, refresh with the library's default public client id, the standalone flow,
// the email and password routes, revoke. Prints one JSON report of what each step saw on stdout;
// tests/Gatehouse.Server.Tests/Dialects/Keymetrics/Pm2ClientTests.cs asserts on it.
//
// Environment: GATEHOUSE_URL (the server, serving the dialect at /api/oauth), MAILDEV_URL
// (maildev's REST API, where the server's mail goes), EMAIL and USERNAME_TO_REGISTER (a new
// account).
//
// The library talks to two services: OAUTH (Gatehouse) and API (PM2.io's own API, which is not
// Gatehouse's to serve). After every token it gets, it lists the user's buckets on the API
// service and counts as signed in only when that works, so a stub API answers that one call.

const http = require('http')
const Keymetrics = require('@pm2/js-api')

const gatehouse = process.env.GATEHOUSE_URL.replace(/\/$/, '')
const maildev = process.env.MAILDEV_URL.replace(/\/$/, '')
const email = process.env.EMAIL
const username = process.env.USERNAME_TO_REGISTER
const password = 'correct horse battery staple'

/** What a library call answered: its status and body, whether it resolved or rejected. */
async function outcome (promise) {
  try {
    const res = await promise
    return { status: res.status, data: res.data }
  } catch (err) {
    if (err && err.status) return { status: err.status, data: err.data, location: err.headers && err.headers.location }
    if (err && err.response) return { status: err.response.status, data: err.response.data, location: err.response.headers && err.response.headers.location }
    return { error: String(err && err.stack ? err.stack : err) }
  }
}

async function post (path, body, bearer) {
  const headers = { 'content-type': 'application/json' }
  if (bearer) headers.authorization = `Bearer ${bearer}`
  const res = await fetch(gatehouse + path, { method: 'POST', headers, body: body ? JSON.stringify(body) : undefined })
  const text = await res.text()
  let data = text
  try { data = JSON.parse(text) } catch (e) {}
  return { status: res.status, data }
}

function until (condition, what, ms = 10000) {
  const deadline = Date.now() + ms
  return new Promise((resolve, reject) => {
    const look = () => {
      if (condition()) return resolve()
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`))
      setTimeout(look, 20)
    }
    look()
  })
}

async function confirmationToken () {
  const deadline = Date.now() + 20000
  while (Date.now() < deadline) {
    const res = await fetch(`${maildev}/email?to.address=${encodeURIComponent(email)}`)
    const messages = await res.json()
    for (const message of messages) {
      const match = /\/valid_email\/([A-Za-z0-9_\-%.~]+)/.exec(message.text || '')
      if (match) return decodeURIComponent(match[1])
    }
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error(`no confirmation link reached ${email}`)
}

function stubApi () {
  return new Promise(resolve => {
    const server = http.createServer((req, res) => {
      const known = req.method === 'GET' && req.url === '/api/bucket'
      res.writeHead(known ? 200 : 404, { 'content-type': 'application/json' })
      res.end(known ? '[]' : '{"msg":"not found"}')
    })
    server.listen(0, '127.0.0.1', () => resolve(server))
  })
}

async function main () {
  const api = await stubApi()
  const services = { API: `http://127.0.0.1:${api.address().port}`, OAUTH: gatehouse }
  const report = {}
  try {
    // auth.register is mapped to a GET, which cannot carry its body: clients POST it.
    const registered = await post('/api/oauth/register', { username, email, password, accept_terms: 1 })
    report.register = { status: registered.status }
    const registerAccess = registered.data.access_token.token
    const refresh = registered.data.refresh_token.token

    // auth.retrieveToken with the library's default (public) client id.
    const km = new Keymetrics({ services })
    report.clientId = km.opts.OAUTH_CLIENT_ID
    const retrieved = await outcome(km.auth.retrieveToken({ client_id: km.opts.OAUTH_CLIENT_ID, refresh_token: refresh }))
    report.retrieveToken = { status: retrieved.status, sameRefreshToken: retrieved.data && retrieved.data.refresh_token === refresh, tokenType: retrieved.data && retrieved.data.token_type, expireAt: retrieved.data && retrieved.data.expire_at }
    const retrievedAccess = retrieved.data && retrieved.data.access_token

    // The standalone flow: the library refreshes by itself with its default client id.
    const standalone = new Keymetrics({ services })
    standalone.use('standalone', { refresh_token: refresh })
    await until(() => standalone._network.authenticated === true, 'the standalone flow to sign in')
    const standaloneAccess = standalone._network.tokens.access_token
    report.standalone = { signedIn: true, distinctAccessTokens: new Set([registerAccess, retrievedAccess, standaloneAccess]).size }

    // Every access token of the session works at once (a non-rotating session supersedes none).
    report.beforeRevoke = []
    for (const token of [registerAccess, retrievedAccess, standaloneAccess]) {
      report.beforeRevoke.push((await post('/api/oauth/send_email_link', null, token)).status)
    }

    report.sendEmailLink = await outcome(standalone.auth.sendEmailLink())
    const token = await confirmationToken()
    report.validEmailBad = await outcome(standalone.auth.validEmail('not-a-token-we-sent'))
    report.validEmailGood = await outcome(standalone.auth.validEmail(token))
    report.validEmailAgain = await outcome(standalone.auth.validEmail(token))

    report.requestNewPasswordKnown = await outcome(standalone.auth.requestNewPassword({ email }))
    report.requestNewPasswordUnknown = await outcome(standalone.auth.requestNewPassword({ email: `nobody-${Date.now()}@example.com` }))

    report.revoke = await outcome(standalone.auth.revoke())

    report.afterRevoke = []
    for (const token of [registerAccess, retrievedAccess, standaloneAccess]) {
      report.afterRevoke.push((await post('/api/oauth/send_email_link', null, token)).status)
    }
    report.retrieveTokenAfterRevoke = await outcome(km.auth.retrieveToken({ client_id: km.opts.OAUTH_CLIENT_ID, refresh_token: refresh }))
  } catch (err) {
    report.error = String(err && err.stack ? err.stack : err)
  } finally {
    api.close()
  }
  process.stdout.write(JSON.stringify(report) + '\n')
  // The library keeps timers of its own; the report is all there is to wait for.
  process.exit(0)
}

main()
