import { chromium } from 'playwright-core';

/**
 * Strict XML parsing with the browser's DOMParser (Chromium's libxml-based parser, a well-kept
 * one, already here for the runner): a document that is not well-formed XML is an error.
 * Returns a plain element tree.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export async function parseXml(xml: string): Promise<XmlElement> {
  const browser = await chromium.launch({ executablePath: process.env.GOLIVE_CHROMIUM ?? '/usr/bin/chromium', args: ['--disable-gpu', '--no-first-run'] });
  try {
    const page = await browser.newPage();
    const result = await page.evaluate((source) => {
      const doc = new DOMParser().parseFromString(source, 'application/xml');
      const error = doc.getElementsByTagName('parsererror')[0];
      if (error) return { error: error.textContent ?? 'not well-formed' };
      const convert = (el: Element): any => ({
        name: el.tagName,
        attrs: Object.fromEntries([...el.attributes].map((a) => [a.name, a.value])),
        children: [...el.children].map(convert),
        text: [...el.childNodes].filter((n) => n.nodeType === 3 || n.nodeType === 4).map((n) => n.textContent).join(''),
      });
      return { root: convert(doc.documentElement) };
    }, xml);
    if ('error' in result) throw new Error(`not well-formed XML: ${result.error}`);
    return result.root as XmlElement;
  } finally {
    await browser.close();
  }
}

export const childrenNamed = (el: XmlElement, name: string): XmlElement[] => el.children.filter((c) => c.name === name);
