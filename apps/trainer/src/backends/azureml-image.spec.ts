import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { TrainerConfig } from '../trainer.config';
import { jobCommand } from './azureml.backend';

// The Azure ML job's command names train-job by an absolute path in the service image: these files must
// agree on where that is, or every job fails at its first line.
const ROOT = path.join(__dirname, '../../../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

describe('the service image as the Azure ML job sees it', () => {
  it("has the app where the job's command looks for train-job", () => {
    const dockerfile = read('Dockerfile');
    const runtime = dockerfile.slice(dockerfile.search(/^FROM \S+ AS runtime$/m));
    const workdirs = [...runtime.matchAll(/^WORKDIR (\S+)$/gm)].map((m) => m[1]);
    const appRoot = new TrainerConfig().AZUREML_JOB_APP_ROOT;
    expect(workdirs.at(-1)).toBe(appRoot);
    expect(runtime).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(jobCommand('RUN', appRoot)).toBe(
      `node ${appRoot}/dist/apps/trainer/src/train-job.js --run-id RUN`,
    );
  });

  it('is registered in Azure ML by digest', () => {
    const env = parseYaml(read('deploy/azureml/environment.yml')) as Record<string, unknown>;
    expect(env).toMatchObject({
      $schema: 'https://azuremlschemas.azureedge.net/latest/environment.schema.json',
      name: 'union-eyes-ml',
      image: expect.stringMatching(/^\S+\/union-eyes-ml@sha256:\S+$/),
    });
  });
});
