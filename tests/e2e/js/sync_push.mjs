// Push sync with the AWS SDK for JavaScript (v3), as a device drives it with its identity's
// temporary credentials: RegisterDevice (its push token), SubscribeToDataset, then a change to
// the dataset made as that device (UpdateRecords with its DeviceId, so it is not told itself).
//
// Input: one JSON object, as the first argument:
//   {"endpoint", "region", "credentials": {"accessKeyId", "secretAccessKey", "sessionToken"},
//    "identityPoolId", "identityId", "dataset", "platform", "token", "records": {"key": "value"}}
// Output (stdout, one line of JSON):
//   {"ok": true, "deviceId", "written": [Record...]}
//   {"ok": false, "code", "message"} when a call fails.
// Bad input exits 2.

import {
  CognitoSyncClient,
  ListRecordsCommand,
  RegisterDeviceCommand,
  SubscribeToDatasetCommand,
  UpdateRecordsCommand,
} from "@aws-sdk/client-cognito-sync";

let input;
try {
  input = JSON.parse(process.argv[2] ?? "");
} catch (e) {
  process.stderr.write(`input is not JSON: ${e.message}\n`);
  process.exit(2);
}
for (const key of ["endpoint", "region", "identityPoolId", "identityId", "dataset", "platform", "token"]) {
  if (typeof input[key] !== "string" || input[key] === "") {
    process.stderr.write(`input lacks "${key}"\n`);
    process.exit(2);
  }
}

const client = new CognitoSyncClient({ endpoint: input.endpoint, region: input.region, credentials: input.credentials });
const identity = { IdentityPoolId: input.identityPoolId, IdentityId: input.identityId };

try {
  const { DeviceId } = await client.send(new RegisterDeviceCommand({ ...identity, Platform: input.platform, Token: input.token }));
  await client.send(new SubscribeToDatasetCommand({ ...identity, DatasetName: input.dataset, DeviceId }));
  const ids = { ...identity, DatasetName: input.dataset };
  const listed = await client.send(new ListRecordsCommand(ids));
  const patches = Object.entries(input.records ?? {}).map(([Key, Value]) => ({ Op: "replace", Key, Value, SyncCount: 0 }));
  const written = await client.send(
    new UpdateRecordsCommand({ ...ids, DeviceId, SyncSessionToken: listed.SyncSessionToken, RecordPatches: patches }),
  );
  process.stdout.write(JSON.stringify({ ok: true, deviceId: DeviceId, written: written.Records }) + "\n");
} catch (e) {
  process.stdout.write(JSON.stringify({ ok: false, code: e.name, message: e.message }) + "\n");
}
