/** What the action tests share: reading back what `core.setOutput` wrote to GITHUB_OUTPUT. */

/** Parses the `name<<delimiter ... delimiter` blocks @actions/core writes to the GITHUB_OUTPUT file. */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = lines[i]!.match(/^([^<]+)<<(.+)$/);
    if (!m) continue;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) body.push(lines[i]!);
    outputs[m[1]!] = body.join('\n');
  }
  return outputs;
}
