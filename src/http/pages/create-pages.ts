import type { Router } from 'express';
import type { PagesDependencies } from './pages-dependencies';
import { createPageViews } from './page-views';
import { pagesRouter } from './pages-router';

export type { PagesDependencies } from './pages-dependencies';

/** The citizen's pages as the app mounts them. */
export interface Pages {
  readonly router: Router;
}

/** Builds the citizen's pages: their views and the router that picks one per request. */
export function createPages(deps: PagesDependencies): Pages {
  return { router: pagesRouter(deps, createPageViews(deps)) };
}
