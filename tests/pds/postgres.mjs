// A throwaway PostgreSQL server for the reference AppView (network.mjs --reference): Debian's
// server binaries (`postgresql`; AERIE_TEST_PG_BIN overrides where), a new cluster in a
// directory of its own under `tmp`, on a free loopback port, trust auth, no fsync. A shell
// around the server waits on its stdin, a pipe from this process: when that closes — stop(),
// or this process ending any way at all, even killed — it stops the server and removes the
// directory. As root the shell and server run as Debian's `postgres` user (initdb refuses
// root). Like storage/tests/support/postgres.rs, which the Rust tests use.
import { execFileSync, spawn } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'

// $1 directory, $2 port, $3 binaries. Ignores INT and TERM (a terminal's ^C reaches the server
// itself, which shuts down on it): only the end of stdin ends it, so it always cleans up.
const SCRIPT = `set -e
trap '' INT TERM
d=$1; port=$2; bin=$3
"$bin/initdb" -D "$d/data" -U postgres -A trust -E UTF8 --no-sync >"$d/initdb.log" 2>&1
"$bin/postgres" -D "$d/data" -h 127.0.0.1 -p "$port" -k "$d" -c fsync=off \\
  -c full_page_writes=off -c synchronous_commit=off -c max_connections=200 >"$d/server.log" 2>&1 &
pid=$!
cat >/dev/null || true
kill -INT "$pid" 2>/dev/null || true
wait "$pid" || true
rm -rf "$d"
`

// The newest /usr/lib/postgresql/N/bin that has a server.
function binDir() {
  if (process.env.AERIE_TEST_PG_BIN) return process.env.AERIE_TEST_PG_BIN
  const versions = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v)).map(Number)
    : []
  const found = versions
    .sort((a, b) => b - a)
    .map((v) => `/usr/lib/postgresql/${v}/bin`)
    .find((b) => existsSync(`${b}/postgres`))
  if (!found) throw new Error('PostgreSQL server binaries not found: apt-get install postgresql')
  return found
}

async function freePort() {
  const srv = net.createServer()
  await new Promise((ok, fail) => srv.once('error', fail).listen(0, '127.0.0.1', ok))
  const { port } = srv.address()
  await new Promise((ok) => srv.close(ok))
  return port
}

function log(dir, name) {
  try {
    return readFileSync(path.join(dir, name), 'utf8')
  } catch {
    return ''
  }
}

// → {url, dir, stop}: url is postgresql://postgres@127.0.0.1:PORT/postgres; stop() resolves
// once the server is gone and its directory removed.
export async function startPostgres(tmp) {
  const bin = binDir()
  const dir = mkdtempSync(path.join(tmp, 'aerie-pg-'))
  const port = await freePort()
  let cmd = 'sh'
  let pre = []
  if (process.getuid() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim())
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim())
    chownSync(dir, uid, gid)
    // setpriv execs (runuser would stay as a parent that kills the shell on ^C).
    cmd = 'setpriv'
    pre = [`--reuid=${uid}`, `--regid=${gid}`, '--init-groups', '--', 'sh']
  }
  const child = spawn(cmd, [...pre, '-c', SCRIPT, 'sh', dir, String(port), bin], {
    cwd: dir,
    stdio: ['pipe', 'ignore', 'inherit'],
  })
  const exited = new Promise((ok) => child.once('exit', ok))
  let gone = false
  exited.then(() => (gone = true))
  const stop = async () => {
    child.stdin.end()
    await exited
  }
  const deadline = Date.now() + 60_000
  for (;;) {
    let ready = false
    try {
      execFileSync(`${bin}/pg_isready`, ['-q', '-h', '127.0.0.1', '-p', String(port)])
      ready = true
    } catch {}
    if (ready) break
    if (gone || Date.now() > deadline) {
      const logs = `${log(dir, 'initdb.log')}\n${log(dir, 'server.log')}`
      await stop()
      rmSync(dir, { recursive: true, force: true })
      throw new Error(`postgres did not start:\n${logs}`)
    }
    await new Promise((ok) => setTimeout(ok, 100))
  }
  return { url: `postgresql://postgres@127.0.0.1:${port}/postgres`, dir, stop }
}
