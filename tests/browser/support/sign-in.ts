import type { Browser, Page } from 'playwright-core';
import { ADMIN, type ConsoleServer } from './console-server';

export interface Credentials {
  email: string;
  password: string;
}

const onSignIn = (url: URL) => url.pathname === '/sign-in' || url.pathname.startsWith('/sign-in/');

/**
 * Signs `page`'s browser context in as `user` through the console's own sign-in form. The session
 * is a cookie of the context, so every page opened in it afterwards is signed in.
 *
 * While the console has no sign-in page yet (it answers 404), this does nothing. A user who is
 * already signed in and sent on from the sign-in page is left as is.
 */
export async function signIn(page: Page, server: ConsoleServer, user: Credentials = ADMIN): Promise<void> {
  const response = await page.goto(`${server.url}/sign-in`);
  if (response?.status() === 404) return;
  if (!onSignIn(new URL(page.url()))) return;
  await page.getByLabel('Email', { exact: true }).fill(user.email);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  try {
    await page.waitForURL((url) => !onSignIn(url), { timeout: 15_000 });
  } catch (error) {
    const text = await page
      .locator('main')
      .innerText()
      .catch(() => '');
    throw new Error(`signing in as ${user.email} did not leave the sign-in page: ${text.trim().slice(0, 500) || (error as Error).message}`);
  }
  await page.waitForLoadState('load');
}

/** A page in a fresh browser context of its own, signed in as `user` (the admin by default). */
export async function signedInPage(browser: Browser, server: ConsoleServer, user: Credentials = ADMIN): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, server, user);
  return page;
}
