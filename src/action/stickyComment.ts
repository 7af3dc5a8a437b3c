/**
 * One sticky comment per pull request: found by a hidden marker, updated in place, created only
 * when none exists (never duplicated). An existing comment is always re-written, so its "edited"
 * time says when the plan was last computed. Takes an Octokit from @actions/github's getOctokit.
 */
import type * as github from '@actions/github';

type Octokit = ReturnType<typeof github.getOctokit>;

export interface StickyTarget {
  owner: string;
  repo: string;
  issueNumber: number;
}

export interface StickyResult {
  action: 'created' | 'updated';
  id: number;
  url: string;
}

/** Creates or updates the comment holding `marker`; the body must contain the marker. */
export async function upsertStickyComment(
  octokit: Octokit,
  target: StickyTarget,
  marker: string,
  body: string,
): Promise<StickyResult> {
  if (!body.includes(marker)) throw new Error('the sticky comment body must contain its marker');
  const params = { owner: target.owner, repo: target.repo, issue_number: target.issueNumber, per_page: 100 };
  const comments = await octokit.paginate(octokit.rest.issues.listComments, params);
  const existing = comments.find((c) => typeof c.body === 'string' && c.body.includes(marker));
  if (existing) {
    const { data } = await octokit.rest.issues.updateComment({
      owner: target.owner,
      repo: target.repo,
      comment_id: existing.id,
      body,
    });
    return { action: 'updated', id: data.id, url: data.html_url };
  }
  const { data } = await octokit.rest.issues.createComment({
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issueNumber,
    body,
  });
  return { action: 'created', id: data.id, url: data.html_url };
}

/** The HTTP status of an Octokit error (RequestError), if it has one. */
export function httpStatus(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}
