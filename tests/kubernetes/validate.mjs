// Validates rendered Kubernetes manifests against the API's JSON schemas
// (kubernetes-models 4.5.1: Kubernetes 1.27) and prints each object as one JSON
// line, for tests/cli/kubernetes.bats to check with jq.
//
//   kubectl kustomize deploy/kubernetes/base | node tests/kubernetes/validate.mjs
//
// Exits 1 naming the object and the schema's complaint when one is invalid
// or of a kind it does not know.
import { readFileSync } from "node:fs";
import yaml from "js-yaml";

const docs = yaml.loadAll(readFileSync(0, "utf8")).filter((d) => d != null);
let failed = false;
for (const doc of docs) {
  const what = `${doc.kind ?? "?"}/${doc.metadata?.name ?? "?"}`;
  const [group, version] = doc.apiVersion?.includes("/") ? doc.apiVersion.split("/") : ["", doc.apiVersion];
  const path = group ? `kubernetes-models/${group}/${version}/${doc.kind}` : `kubernetes-models/${version}/${doc.kind}`;
  try {
    const model = (await import(path))[doc.kind];
    new model(doc).validate();
  } catch (e) {
    console.error(`validate: ${what} (${doc.apiVersion}): ${e.code === "ERR_MODULE_NOT_FOUND" ? "unknown kind" : e.message}`);
    failed = true;
    continue;
  }
  console.log(JSON.stringify(doc));
}
if (docs.length === 0) {
  console.error("validate: no objects on standard input");
  failed = true;
}
process.exit(failed ? 1 : 0);
