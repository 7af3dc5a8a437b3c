/**
 * What a registry said about one image (src/registry/client.ts asks; the plan reads it). Pure data:
 * the plan's core imports only this file.
 */
export type ImageAnswer =
  | { result: 'exists'; digest?: string }
  /** 404: `answer` is the registry's own words (`manifest unknown`). */
  | { result: 'not-found'; answer: string }
  /** 401/403 after authenticating (or with no way to): `answer` says with what. */
  | { result: 'unauthorized'; answer: string }
  /** Could not ask: DNS, TLS, refused, no answer in time, 429, 5xx. */
  | { result: 'not-checked'; reason: string };

/** One image, the registry host it lives on (`docker.io`, `127.0.0.1:5000`), and the answer. */
export type ImageCheck = { image: string; registry: string } & ImageAnswer;
