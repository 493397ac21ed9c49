import type { AttachmentService } from '../../attachments/attachment-service';
import type { DraftService } from '../../drafts/draft-service';
import type { FormRegistry } from '../../forms/form-registry';
import type { PageFlow } from '../../forms/page-flow';
import type { PageRenderer } from '../../render/templates';
import type { MunicipalitySearch } from '../../routing/municipality-search';
import type { RoutingTable } from '../../routing/routing-table';
import type { Tenant } from '../../routing/tenant';
import type { SubmissionService } from '../../submissions/submission-service';
import type { Logger } from '../../support/logger';
import type { TestLinks } from '../../test-delivery/test-links';
import type { RateLimiter } from '../rate-limit';

/** What the citizen's pages are built from (see create-pages.ts). */
export interface PagesDependencies {
  readonly forms: FormRegistry;
  readonly flow: PageFlow;
  readonly renderer: PageRenderer;
  readonly drafts: DraftService;
  readonly submissions: Pick<SubmissionService, 'accept' | 'findWithToken' | 'statusOf'>;
  readonly routing: RoutingTable;
  readonly municipalities: MunicipalitySearch;
  readonly siteTenant: Tenant;
  readonly secureCookies: boolean;
  readonly bodyLimitBytes: number;
  readonly publicBaseUrl: string;
  readonly logger: Logger;
  readonly rateLimiter: RateLimiter;
  /** Documents uploaded at file questions: taken in on a step's post, listed on the step, the check page and the confirmation. */
  readonly attachments: Pick<AttachmentService, 'limits' | 'maxBytesFor' | 'upload' | 'ofDraft' | 'removeFromDraft' | 'ofSubmission'>;
  /** Testers' links: a valid one opens its authority's `testing` route and marks every submission as a test. */
  readonly testLinks: Pick<TestLinks, 'check'>;
}
