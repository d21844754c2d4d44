// The preference and unsubscribe pages, as a person uses them in a real
// browser, in Japanese and in English: fewer topics, less often, a pause,
// stop everything, come back. Each change is what the sender's next
// "may I send?" sees.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newEmail } from "./lib/http.mjs";
import { formDefinition, signUp } from "./lib/consent.mjs";
import { check, links } from "./lib/sender.mjs";
import { submit, withPage } from "./lib/browser.mjs";
import { frequencyName, htmlLang, postalAddress, says, sender, visibleText } from "./lib/pages.mjs";

const DAY_MS = 24 * 3_600_000;
const TOPICS = ["product", "events", "tips"];

/** Someone subscribed to every topic of the newsletter list, with their links. */
async function everyTopicSubscriber(tag) {
  const email = newEmail(tag);
  await signUp("whitepaper", email); // product, tips
  await signUp("seminar", email); // events
  for (const topic of TOPICS) {
    assert.equal((await check(email, { topic })).allowed, true, `sendable for ${topic} to begin with`);
  }
  return { email, mail: await links(email) };
}

/** A topic's name as the pages show it, from the forms' definitions. */
async function topicName(id, locale) {
  for (const formId of ["whitepaper", "seminar", "newsletter"]) {
    const topic = (await formDefinition(formId)).topics.find((t) => t.id === id);
    if (topic) return topic.name[locale];
  }
  throw new Error(`no form offers topic ${id}`);
}

/** Chooses an option (radio or select) labelled `name` inside the group labelled `group`. */
async function choose(page, group, name) {
  const radio = page.getByRole("radio", { name, exact: true });
  if ((await radio.count()) > 0) return radio.check();
  return page.getByRole("combobox", { name: group }).selectOption({ label: name });
}

for (const locale of ["ja", "en"]) {
  test(`[${locale}] dropping one topic on the preference page stops that topic only`, async () => {
    const { email, mail } = await everyTopicSubscriber(`prefs-topic-${locale}`);
    const dropped = locale === "ja" ? "tips" : "events";
    const name = await topicName(dropped, locale);
    const status = await withPage(async (page) => {
      await page.goto(`${mail.preferences_url}?lang=${locale}`);
      await page.getByRole("checkbox", { name, exact: true }).uncheck();
      const response = await submit(page, page.getByRole("button", { name: says[locale].save }));
      return response.status();
    });
    assert.equal(status, 200);
    const refused = await check(email, { topic: dropped });
    assert.equal(refused.allowed, false);
    assert.equal(refused.reason.code, "topic_not_chosen");
    for (const kept of TOPICS.filter((t) => t !== dropped)) {
      assert.equal((await check(email, { topic: kept })).allowed, true, `${kept} is still sent`);
    }
  });

  test(`[${locale}] unsubscribing from everything on the preference page stops all mail and says so`, async () => {
    const { email, mail } = await everyTopicSubscriber(`prefs-all-${locale}`);
    const { status, text, lang } = await withPage(async (page) => {
      await page.goto(`${mail.preferences_url}?lang=${locale}`);
      const response = await submit(page, page.getByRole("button", { name: says[locale].unsubscribeAll }));
      return { status: response.status(), text: await page.locator("body").innerText(), lang: await page.getAttribute("html", "lang") };
    });
    assert.equal(status, 200);
    assert.equal(lang, locale);
    assert.match(text, says[locale].noMoreMail(sender(locale)));
    for (const topic of [undefined, ...TOPICS]) {
      const result = await check(email, { topic });
      assert.equal(result.allowed, false, `refused for ${topic ?? "the whole list"}`);
      assert.equal(result.reason.code, "unsubscribed");
      assert.equal(result.reason.via, "page");
    }
  });

  test(`[${locale}] the unsubscribe page's first button stops all mail in one press`, async () => {
    const { email, mail } = await everyTopicSubscriber(`unsub-page-${locale}`);
    const { status, text, firstName } = await withPage(async (page) => {
      await page.goto(`${mail.unsubscribe_url}?lang=${locale}`);
      const first = page.getByRole("button").first();
      const firstName = await first.innerText();
      const response = await submit(page, first);
      return { status: response.status(), text: await page.locator("body").innerText(), firstName };
    });
    assert.match(firstName, says[locale].unsubscribeAll);
    assert.equal(status, 200);
    assert.match(text, says[locale].noMoreMail(sender(locale)));
    for (const topic of [undefined, ...TOPICS]) {
      assert.equal((await check(email, { topic })).allowed, false);
    }
  });

  test(`[${locale}] after unsubscribing from everything, resubscribing on the page makes mail allowed again`, async () => {
    const { email, mail } = await everyTopicSubscriber(`prefs-back-${locale}`);
    const status = await withPage(async (page) => {
      await page.goto(`${mail.preferences_url}?lang=${locale}`);
      await submit(page, page.getByRole("button", { name: says[locale].unsubscribeAll }));
      await page.goto(`${mail.preferences_url}?lang=${locale}`);
      const response = await submit(page, page.getByRole("button", { name: says[locale].resubscribe }));
      return response.status();
    });
    assert.equal(status, 200);
    const result = await check(email);
    assert.equal(result.allowed, true, JSON.stringify(result));
    assert.equal(result.reason.code, "consented");
  });

  test(`[${locale}] the preference page names the sender and their postal address, in the page's language`, async () => {
    const { mail } = await everyTopicSubscriber(`prefs-law-${locale}`);
    for (const target of [mail.preferences_url, mail.unsubscribe_url]) {
      const response = await fetch(`${target}?lang=${locale}`);
      const html = await response.text();
      assert.equal(response.status, 200);
      assert.equal(htmlLang(html), locale);
      const text = visibleText(html);
      assert.ok(text.includes(sender(locale)), `the sender's name is on ${target}`);
      assert.ok(text.includes(postalAddress(locale)), `the postal address is on ${target}`);
    }
  });
}

test("[en] choosing a monthly digest: weekly mail is refused, monthly allowed", async () => {
  const { email, mail } = await everyTopicSubscriber("prefs-frequency");
  await withPage(async (page) => {
    await page.goto(`${mail.preferences_url}?lang=en`);
    await choose(page, /how often/i, frequencyName("monthly", "en"));
    const response = await submit(page, page.getByRole("button", { name: says.en.save }));
    assert.equal(response.status(), 200);
  });
  assert.equal((await check(email, { frequency: "monthly" })).allowed, true);
  const weekly = await check(email, { frequency: "weekly" });
  assert.equal(weekly.allowed, false);
  assert.equal(weekly.reason.code, "other_frequency");
  assert.equal(weekly.reason.chosen, "monthly");
});

test("[ja] pausing for 30 days refuses mail until then", async () => {
  const { email, mail } = await everyTopicSubscriber("prefs-pause");
  const before = Date.now();
  await withPage(async (page) => {
    await page.goto(`${mail.preferences_url}?lang=ja`);
    await choose(page, /休止/, "30日間休止");
    const response = await submit(page, page.getByRole("button", { name: says.ja.save }));
    assert.equal(response.status(), 200);
  });
  const after = Date.now();
  const result = await check(email);
  assert.equal(result.allowed, false);
  assert.equal(result.reason.code, "paused");
  assert.ok(
    result.reason.until >= before + 29 * DAY_MS && result.reason.until <= after + 31 * DAY_MS,
    `paused until ${new Date(result.reason.until).toISOString()}`,
  );
});

test("Accept-Language chooses the page's language, and ?lang= overrides it", async () => {
  const { mail } = await everyTopicSubscriber("prefs-lang");
  const cases = [
    [{ "accept-language": "en-US,en;q=0.9" }, "", "en"],
    [{ "accept-language": "ja-JP,ja;q=0.9,en;q=0.5" }, "", "ja"],
    [{ "accept-language": "en-GB" }, "?lang=ja", "ja"],
    [{ "accept-language": "ja" }, "?lang=en", "en"],
    [{ "accept-language": "fr-FR,de;q=0.8" }, "", "ja"], // the sender's default
  ];
  for (const [headers, query, expected] of cases) {
    for (const target of [mail.preferences_url, mail.unsubscribe_url]) {
      const response = await fetch(`${target}${query}`, { headers });
      const html = await response.text();
      assert.equal(htmlLang(html), expected, `${JSON.stringify(headers)} ${query} on ${target}`);
      assert.match(visibleText(html), says[expected].unsubscribeAll);
    }
  }
});

test("a browser's language decides the page when no ?lang= is given", async () => {
  const { mail } = await everyTopicSubscriber("prefs-browser-lang");
  const lang = await withPage(
    async (page) => {
      await page.goto(mail.preferences_url);
      return page.getAttribute("html", "lang");
    },
    { locale: "en-US" },
  );
  assert.equal(lang, "en");
});

for (const [name, pick] of [
  ["unsubscribe", (mail) => mail.unsubscribe_url],
  ["preference", (mail) => mail.preferences_url],
]) {
  test(`the ${name} page's biggest, first action is "stop all email", and every field has a label`, async () => {
    const { mail } = await everyTopicSubscriber(`layout-${name}`);
    const found = await withPage(async (page) => {
      await page.goto(`${pick(mail)}?lang=en`);
      const buttons = page.getByRole("button");
      const boxes = [];
      for (let i = 0; i < (await buttons.count()); i += 1) {
        const box = await buttons.nth(i).boundingBox();
        boxes.push({ name: await buttons.nth(i).innerText(), area: box ? box.width * box.height : 0 });
      }
      const unlabelled = await page.evaluate(() =>
        [...document.querySelectorAll("input, select, textarea")]
          .filter((el) => el.type !== "hidden" && el.type !== "submit" && el.type !== "button")
          .filter((el) => el.offsetParent !== null)
          .filter((el) => !(el.labels?.length || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby")))
          .map((el) => el.outerHTML),
      );
      const forms = await page.locator("form").count();
      return { boxes, unlabelled, forms };
    });
    assert.ok(found.forms >= 1, "the page works as plain HTML forms");
    assert.ok(found.boxes.length >= 1);
    assert.match(found.boxes[0].name, says.en.unsubscribeAll, "the first button stops all email");
    const biggest = Math.max(...found.boxes.map((b) => b.area));
    assert.equal(found.boxes[0].area, biggest, `the stop-all button is the largest: ${JSON.stringify(found.boxes)}`);
    assert.deepEqual(found.unlabelled, [], "every visible field has a label");
  });
}

test("saving preferences with a plain form POST (no browser) works as the contract says", async () => {
  const { email, mail } = await everyTopicSubscriber("prefs-post");
  const body = new URLSearchParams([
    ["action", "save"],
    ["topics", "product"],
    ["topics", "events"],
    ["frequency", "weekly"],
    ["pause", "0"],
  ]);
  const response = await fetch(`${mail.preferences_url}?lang=en`, { method: "POST", body, redirect: "manual" });
  const html = await response.text();
  assert.equal(response.status, 200, html.slice(0, 300));
  assert.equal((await check(email, { topic: "tips" })).allowed, false);
  assert.equal((await check(email, { topic: "product" })).allowed, true);
  assert.equal((await check(email, { topic: "events" })).allowed, true);
  assert.equal((await check(email, { frequency: "weekly" })).allowed, true);
});

test("a reason for leaving is taken after unsubscribing, and does not resubscribe", async () => {
  const { email, mail } = await everyTopicSubscriber("prefs-reason");
  const leave = await fetch(`${mail.preferences_url}?lang=en`, {
    method: "POST",
    body: new URLSearchParams({ action: "unsubscribe_all" }),
    redirect: "manual",
  });
  assert.equal(leave.status, 200);
  assert.match(visibleText(await leave.text()), says.en.noMoreMail(sender("en")));
  const reason = await fetch(`${mail.preferences_url}?lang=en`, {
    method: "POST",
    body: new URLSearchParams({ action: "reason", reason: "too_many" }),
    redirect: "manual",
  });
  await reason.arrayBuffer();
  assert.equal(reason.status, 200);
  const result = await check(email);
  assert.equal(result.allowed, false);
  assert.equal(result.reason.code, "unsubscribed");
});
