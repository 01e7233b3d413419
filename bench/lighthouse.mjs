// Runs Lighthouse on the pages bench/lighthouse_pages.py names, in Debian's Chromium (CHROME_PATH), signed in
// with a real session cookie (set in the browser, so htmx requests and the service worker carry it too, as they
// would for a person), and prints each page's scores; the median when LIGHTHOUSE_RUNS > 1.
//
//   node bench/lighthouse.mjs targets.json out-dir [mobile|desktop] [runs]
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import lighthouse from "lighthouse";
import desktopConfig from "lighthouse/core/config/desktop-config.js";
import puppeteer from "puppeteer-core";

const [targetsFile, out, preset = "mobile", runsArg = "1"] = process.argv.slice(2);
const targets = JSON.parse(readFileSync(targetsFile, "utf8"));
const runs = Number(runsArg);
const CATEGORIES = ["performance", "accessibility", "best-practices"];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(url, cookie, file) {
  // A fresh browser (and profile) per run: nothing cached, no service worker from an earlier page.
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROME_PATH || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
  try {
    const page = await browser.newPage();
    if (cookie) await browser.setCookie({ ...cookie, domain: new URL(url).hostname, path: "/", httpOnly: true });
    const port = Number(new URL(browser.wsEndpoint()).port);
    const flags = { port, output: ["json", "html"], logLevel: "error", onlyCategories: CATEGORIES };
    const result = await lighthouse(url, flags, preset === "desktop" ? desktopConfig : undefined, page);
    if (result.lhr.runtimeError) throw new Error(`${url}: ${result.lhr.runtimeError.message}`);
    writeFileSync(`${file}.report.json`, result.report[0]);
    writeFileSync(`${file}.report.html`, result.report[1]);
    return Object.fromEntries(CATEGORIES.map((c) => [c, result.lhr.categories[c].score]));
  } finally {
    await browser.close();
  }
}

for (const [name, url] of Object.entries(targets.pages)) {
  const slug = name.toLowerCase().replaceAll(" ", "-");
  const cookie = url.includes("/public/") ? null : targets.cookie;
  const scores = [];
  for (let run = 1; run <= runs; run++) {
    // Lighthouse now and then fails to record a trace (NO_NAVSTART): that run is tried again, up to twice.
    for (let attempt = 1; ; attempt++) {
      try {
        scores.push(await measure(url, cookie, join(out, `${slug}-${preset}-${run}`)));
        break;
      } catch (error) {
        if (attempt === 3) throw error;
        console.error(`${error.message}; trying again`);
      }
    }
  }
  const score = (c) => String(Math.round(100 * median(scores.map((s) => s[c])))).padStart(3);
  console.log(
    `${name.padEnd(16)} performance ${score("performance")}  accessibility ${score("accessibility")}  ` +
      `best practices ${score("best-practices")}   ${url}`,
  );
}
