// Every console page in Japanese and English, at 320 px and at desktop
// width, in Chromium: axe-core finds no serious or critical violation, and
// nothing is wider than the screen. Screenshots of each (the README's come
// from `DOI_SCREENSHOTS=docs/screenshots`). axe is injected into the page,
// which the console's CSP forbids: these contexts bypass CSP for that only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newEmail } from "./lib/http.mjs";
import { withPage, submit } from "./lib/browser.mjs";
import { signUp } from "./lib/consent.mjs";
import { signIn, lookUp, seriousViolations, picture } from "./lib/console.mjs";

const widths = [
  ["phone", { width: 320, height: 640 }],
  ["desktop", { width: 1280, height: 900 }],
];

async function inspect(page, name, pictures) {
  assert.deepEqual(await seriousViolations(page), [], `${name}: axe`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${name}: ${overflow} px wider than the screen`);
  if (pictures) await picture(page, `console-${name}`);
}

for (const lang of ["ja", "en"]) {
  for (const [size, viewport] of widths) {
    test(`every console page passes axe in ${lang} at ${size} width`, async () => {
      const email = newEmail("console-pages");
      await signUp("newsletter", email, { locale: lang });
      // Pictures of the desktop pages only: the README shows those.
      const pictures = size === "desktop";
      await withPage(async (page) => {
        await page.goto(`/admin/sign-in?lang=${lang}`);
        await inspect(page, `sign-in-${lang}-${size}`, pictures);
        await signIn(page, lang);
        await inspect(page, `home-${lang}-${size}`, pictures);
        await lookUp(page, email, lang);
        await inspect(page, `person-${lang}-${size}`, pictures);
        await submit(page, page.locator("main form[action^='/admin/proof'] button"));
        await inspect(page, `proof-${lang}-${size}`, pictures);
        await lookUp(page, email, lang);
        await submit(page, page.locator("main form[action^='/admin/suppress'] button"));
        await inspect(page, `confirm-${lang}-${size}`, pictures);
        await page.goto(`/admin/suppress-list?lang=${lang}`);
        await inspect(page, `suppress-list-${lang}-${size}`, pictures);
        await page.goto(`/admin/export?lang=${lang}`);
        await inspect(page, `export-${lang}-${size}`, pictures);
        await page.goto(`/admin/overview?lang=${lang}`);
        await submit(page, page.locator("main form[action^='/admin/overview/recount'] button"));
        await inspect(page, `overview-${lang}-${size}`, pictures);
        await page.goto(`/admin/activity?lang=${lang}`);
        await inspect(page, `activity-${lang}-${size}`, pictures);
      }, { viewport, bypassCSP: true });
    });
  }
}
