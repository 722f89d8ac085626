// End to end in Debian's headless Chromium (playwright-core, no downloaded browser): logs in
// to Aerie, follows, likes and reposts in place (no navigation, no console errors) and the
// server's pages agree, reads the timeline, posts, opens a thread, replies, visits
// notifications and compose, logs out — and saves a screenshot of each page at phone and
// desktop width. Usage: node e2e.mjs <aerie-url> <handle> <app-password> <other-handle>
// <out-dir>. Prints one JSON line; exits non-zero on any failure.
import { chromium } from 'playwright-core'
import { mkdirSync } from 'node:fs'

const [base, handle, password, other, out] = process.argv.slice(2)
mkdirSync(out, { recursive: true })
const WIDTHS = { phone: { width: 360, height: 780 }, desktop: { width: 1280, height: 900 } }

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
})
const shots = []
try {
  const context = await browser.newContext({ viewport: WIDTHS.desktop })
  const page = await context.newPage()
  const errors = []
  page.on('pageerror', (e) => errors.push(String(e)))
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`) })
  let loads = 0
  page.on('load', () => { loads++ })
  page.setDefaultTimeout(20000)

  // Runs `act` (a click and a wait for its result) and fails if the page navigated meanwhile:
  // the script must have toggled in place, not fallen back to submitting the form.
  async function inPlace(what, act) {
    await page.evaluate(() => { window.aerieStayed = true })
    const before = loads
    await act()
    const stayed = await page.evaluate(() => window.aerieStayed === true)
    if (!stayed || loads !== before) throw new Error(`${what}: the page navigated instead of updating in place`)
  }

  async function shoot(name, path) {
    for (const [w, size] of Object.entries(WIDTHS)) {
      await page.setViewportSize(size)
      await page.goto(base + path)
      const file = `${out}/${name}-${w}.png`
      await page.screenshot({ path: file, fullPage: false })
      shots.push(file)
    }
    await page.setViewportSize(WIDTHS.desktop)
  }
  // Reloads `path` until `selector` shows (content arriving from the network).
  async function until(path, selector, what) {
    for (let i = 0; i < 100; i++) {
      await page.goto(base + path)
      if (await page.locator(selector).count()) return
      await page.waitForTimeout(300)
    }
    throw new Error(`${what}: ${selector} never appeared on ${path}`)
  }

  await shoot('landing', '/')
  await shoot('login', '/login')
  await page.goto(base + '/login')
  await page.fill('#identifier', handle)
  await page.fill('#password', password)
  await page.click('form.login button[type=submit]')
  await page.waitForSelector('form.composer')

  // Follow from the profile page (a plain form post).
  await page.goto(`${base}/profile/${other}`)
  // Follow in place (the script), then the page as the server renders it agrees.
  await inPlace('follow', async () => {
    await page.click('form[action="/action/follow"] button')
    await page.waitForSelector('form[action="/action/unfollow"] button:has-text("Following")')
  })
  await page.reload()
  await page.waitForSelector('form[action="/action/unfollow"]')

  // The timeline fills with their posts; like and repost the first in place.
  await until('/', 'article.post', 'timeline')
  const first = page.locator('article.post').first()
  const uri = await first.getAttribute('data-uri')
  await inPlace('like', async () => {
    await first.locator('button[title=Like]').click()
    await first.locator('button[title=Like][aria-pressed=true]').waitFor()
  })
  await inPlace('repost', async () => {
    await first.locator('button[title=Repost]').click()
    await first.locator('button[title=Repost][aria-pressed=true]').waitFor()
  })
  if ((await first.locator('button[title=Like] .count').textContent()).trim() !== '1') throw new Error('like count not updated in place')
  // The server recorded both: the page as it renders it agrees.
  await page.reload()
  const again = page.locator(`article.post[data-uri="${uri}"]`).first()
  await again.locator('button[title=Like][aria-pressed=true]').waitFor()
  await again.locator('button[title=Repost][aria-pressed=true]').waitFor()

  // Post from the composer; the counter counts graphemes.
  const text = 'Hello from Chromium 👩‍👩‍👧 #aerie'
  await page.fill('form.composer textarea', text)
  const left = (await page.locator('.counter').first().textContent()).trim()
  if (left !== String(300 - 28)) throw new Error(`grapheme counter shows ${left}`)
  await page.click('form.composer button[type=submit]')
  await until('/', `article.post:has-text("Hello from Chromium")`, 'own post')

  // Open the thread of the liked post and reply.
  await page.goto(base + '/')
  await page.locator(`article.post[data-uri="${uri}"] a.when`).first().click()
  await page.waitForSelector('.thread .focus')
  const threadPath = new URL(page.url()).pathname
  await page.fill('#text-reply', 'Replying from Chromium')
  await page.click('#reply button[type=submit]')
  await until(threadPath, '.replies article.post:has-text("Replying from Chromium")', 'reply')

  await shoot('home', '/')
  await shoot('profile', `/profile/${other}`)
  await shoot('own-profile', `/profile/${handle}`)
  await shoot('thread', threadPath)
  await shoot('notifications', '/notifications')
  await shoot('compose', '/compose')

  // Keyboard: the skip link is the first thing Tab reaches.
  await page.goto(base + '/')
  await page.keyboard.press('Tab')
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.className)
  if (focused !== 'skip') throw new Error(`first Tab stop is ${focused}`)

  await page.click('form.logout button')
  await page.waitForSelector('form.login')
  if (errors.length) throw new Error('script or console errors: ' + errors.join('; '))
  console.log(JSON.stringify({ ok: true, liked: uri, posted: text, thread: threadPath, screenshots: shots }))
} catch (e) {
  console.log(JSON.stringify({ ok: false, error: String(e && e.stack || e), screenshots: shots }))
  process.exitCode = 1
} finally {
  await browser.close()
}
