// End to end in Debian's headless Chromium (playwright-core, no downloaded browser): logs in
// to Aerie, follows, likes and reposts in place (no navigation, no console errors) and the
// server's pages agree, reads the timeline, posts, opens a thread, replies, visits
// notifications and compose, searches (the layout's box, Top / Latest, filters, people, an
// unknown account's reason, a refused query, hashtag pages, @-mention suggestions in the
// composer), logs out and searches signed out — and saves a screenshot of each page at phone and
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

  // Search. The layout's box submits to /search; the index commits within a moment of the
  // write, so the results page is reloaded until the post shows.
  await page.goto(base + '/notifications')
  await page.fill('form[role=search] #nav-q', 'Chromium')
  await page.press('form[role=search] #nav-q', 'Enter')
  await page.waitForURL((u) => u.pathname === '/search' && u.searchParams.get('q') === 'Chromium')
  await until('/search?q=Chromium', 'article.post:has-text("Hello from Chromium")', 'search box')
  if (!/^\d+ posts?$/.test((await page.locator('p.count').textContent()).trim())) throw new Error('no hitsTotal on the search page')
  await page.click('.tabs.sort a:has-text("Latest")')
  await page.waitForURL((u) => u.searchParams.get('sort') === 'latest')
  await page.locator('article.post:has-text("Hello from Chromium")').first().waitFor()
  // Filters are linkable parameters: from= narrows to an account.
  await page.goto(`${base}/search?q=Chromium&from=${other}`)
  if (await page.locator('article.post:has-text("Hello from Chromium")').count()) throw new Error('from= did not narrow the search')
  // People: an account found by the start of its handle.
  const prefix = other.slice(0, 2)
  await until(`/search?tab=people&q=${prefix}`, `#people article.person:has-text("@${other}")`, 'people search')
  // Feeds: none here, and the page says so.
  await page.goto(`${base}/search?tab=feeds&q=Chromium`)
  await page.locator('#feeds p.empty:has-text("No feeds match")').waitFor()
  // An account that does not exist: nothing searched, and the page says why.
  for (const path of ['/search?q=hello+from:nobody.test', '/search?q=hello&from=nobody.test']) {
    await page.goto(base + path)
    const why = (await page.locator('p.empty').textContent()).trim()
    if (!why.includes('No account @nobody.test was found')) throw new Error(`${path}: no reason shown, but ${why}`)
  }
  // A query the language refuses: the page with the message, status 400 (which Chromium
  // reports on the console: that one line is expected, not an error of the page).
  const logged = errors.length
  const bad = await page.goto(`${base}/search?q=${encodeURIComponent('('.repeat(12) + 'a')}`)
  if (bad.status() !== 400) throw new Error(`a bad query answered ${bad.status()}`)
  await page.locator('p.error[role=alert]').waitFor()
  errors.push(...errors.splice(logged).filter((e) => !e.includes('status of 400 (Bad Request)')))
  // Hashtags: the tag link in a post leads to its page; Top and Latest both list the post.
  await page.goto(base + '/')
  await page.locator('article.post:has-text("Hello from Chromium") a[href="/hashtag/aerie"]').first().click()
  await page.waitForURL((u) => u.pathname === '/hashtag/aerie')
  await until('/hashtag/aerie', 'article.post:has-text("Hello from Chromium")', 'hashtag')
  await page.click('.tabs.sort a:has-text("Latest")')
  await page.waitForURL((u) => u.pathname === '/hashtag/aerie' && u.searchParams.get('sort') === 'latest')
  await page.locator('article.post:has-text("Hello from Chromium")').first().waitFor()
  await page.goto(`${base}/hashtag/aerie?author=${other}`)
  if (await page.locator('article.post').count()) throw new Error('?author= did not narrow the hashtag page')
  await page.goto(`${base}/hashtag/aerie?author=${handle}`)
  await page.locator('article.post:has-text("Hello from Chromium")').first().waitFor()
  // What the visitor typed is shown, never run.
  for (const path of ['/search?q=%22%3E%3Cimg%20src%3Dx%20id%3Dpwned%3E', '/hashtag/%3Cimg%20src%3Dx%20id%3Dpwned%3E']) {
    await page.goto(base + path)
    if (await page.locator('#pwned').count()) throw new Error(`${path}: markup from the address was rendered`)
  }

  // @-mention suggestions in the composer: "@" and the start of a handle lists the account;
  // Enter puts "@handle " in place of what was typed, with no navigation. The plain link is
  // there for browsers without the script.
  await page.goto(base + '/')
  const area = page.locator('form.composer textarea').first()
  if (!(await page.locator('form.composer a[href="/search?tab=people"]').count())) throw new Error('no mention search link')
  await inPlace('mention', async () => {
    await area.click()
    await area.pressSequentially(`Hi @${prefix}`, { delay: 20 })
    await page.locator(`.mentions [role=option]:has-text("@${other}")`).first().waitFor()
    if ((await area.getAttribute('aria-activedescendant')) === null) throw new Error('no active suggestion')
    shots.push(`${out}/mentions-desktop.png`)
    await page.screenshot({ path: shots[shots.length - 1] })
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('ArrowUp')
    const first = (await page.locator('.mentions [role=option][aria-selected=true] .handle').textContent()).trim()
    await page.keyboard.press('Enter')
    const value = await area.inputValue()
    if (value !== `Hi ${first} `) throw new Error(`the mention put ${JSON.stringify(value)} in the composer`)
    if (await page.locator('.mentions').isVisible()) throw new Error('the suggestions stayed open')
    // A click picks too; Escape closes without picking.
    await area.pressSequentially(`and @${prefix}`, { delay: 20 })
    await page.locator(`.mentions [role=option]:has-text("@${other}")`).first().click()
    if ((await area.inputValue()) !== `Hi ${first} and @${other} `) throw new Error(`a click put ${JSON.stringify(await area.inputValue())}`)
    await area.pressSequentially(`@${prefix}`, { delay: 20 })
    await page.locator('.mentions [role=option]').first().waitFor()
    await page.keyboard.press('Escape')
    if (await page.locator('.mentions').isVisible()) throw new Error('Escape did not close the suggestions')
  })
  await area.fill('')

  await shoot('search', '/search?q=Chromium')
  await shoot('search-people', `/search?tab=people&q=${prefix}`)
  await shoot('search-start', '/search')
  await shoot('hashtag', '/hashtag/aerie')
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
  // Signed out, the search box is there and search works.
  await page.fill('form[role=search] #nav-q', 'Chromium')
  await page.press('form[role=search] #nav-q', 'Enter')
  await page.locator('article.post:has-text("Hello from Chromium")').first().waitFor()
  if (errors.length) throw new Error('script or console errors: ' + errors.join('; '))
  console.log(JSON.stringify({ ok: true, liked: uri, posted: text, thread: threadPath, screenshots: shots }))
} catch (e) {
  console.log(JSON.stringify({ ok: false, error: String(e && e.stack || e), screenshots: shots }))
  process.exitCode = 1
} finally {
  await browser.close()
}
