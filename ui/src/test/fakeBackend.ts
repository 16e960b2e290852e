// A tiny in-memory stand-in for the Rust side's `call` and app commands, for UI tests only.
// It answers in the wire shapes the real server uses; it is not a Cognito implementation.
type Json = Record<string, any>;

export class CognitoError {
  constructor(
    public code: string,
    public message: string,
  ) {}
}

export function fakeBackend() {
  const pools = new Map<string, Json>();
  const users = new Map<string, Json[]>();
  const clients = new Map<string, Json[]>();
  const identityPools = new Map<string, Json>();
  const roles = new Map<string, Json>();
  /** IAM's SAML providers by ARN: `{ Arn, CreateDate, SAMLMetadataDocument }`. */
  const samlProviders = new Map<string, Json>();
  /** SetUserPoolMfaConfig's last request per pool. */
  const mfa = new Map<string, Json>();
  /** Groups per pool, and their members as `${poolId}/${group}` → usernames. */
  const groups = new Map<string, Json[]>();
  const members = new Map<string, Set<string>>();
  /** The outbox ListMessages answers from, newest first. */
  const messages: Json[] = [];
  /** The audit log ListAuditEvents answers from, newest first. */
  const auditEvents: Json[] = [];
  /** The trigger inspector ListTriggerInvocations answers from, newest first (UserPoolId on each). */
  const triggerInvocations: Json[] = [];
  /** What TestTrigger's function answers per trigger: `{ Response }` or `{ Error }`; `{ Response: {} }` when not set. */
  const triggerAnswers = new Map<string, Json>();
  const log: { connection: string; target: string; input: Json }[] = [];
  /** Remote connections as `connections_list` answers them (never with a secret). */
  const connections: Json[] = [];
  /** Every command other than `call`, with its arguments. */
  const commands: { cmd: string; args?: Json }[] = [];
  /** Make commands fail: `connection_add` always, `connection_test` / `call` per connection. */
  const failures: { add: CognitoError | null; test: Map<string, CognitoError>; call: Map<string, CognitoError> } = {
    add: null,
    test: new Map(),
    call: new Map(),
  };
  let n = 0;
  const now = () => 1_700_000_000 + n;

  const idp: Record<string, (i: Json) => Json> = {
    ListUserPools: () => ({ UserPools: [...pools.values()].map((p) => ({ Id: p.Id, Name: p.Name, CreationDate: p.CreationDate })) }),
    CreateUserPool: (i) => {
      const Id = `us-east-1_P${++n}`;
      const { PoolName, ...rest } = i;
      const p = { ...rest, Id, Name: PoolName, CreationDate: now(), SchemaAttributes: [{ Name: "sub" }, { Name: "email" }] };
      pools.set(Id, p);
      users.set(Id, []);
      clients.set(Id, []);
      return { UserPool: p };
    },
    DescribeUserPool: (i) => {
      const p = pools.get(i.UserPoolId);
      if (!p) throw new CognitoError("ResourceNotFoundException", "User pool does not exist.");
      return { UserPool: p };
    },
    UpdateUserPool: (i) => {
      const p = pools.get(i.UserPoolId)!;
      const { UserPoolId: _id, PoolName: _name, ...settings } = i;
      pools.set(i.UserPoolId, { ...p, ...settings });
      return {};
    },
    GetUserPoolMfaConfig: (i) => ({ MfaConfiguration: "OFF", ...mfa.get(i.UserPoolId) }),
    SetUserPoolMfaConfig: (i) => {
      const { UserPoolId, ...config } = i;
      mfa.set(UserPoolId, config);
      pools.get(UserPoolId)!.MfaConfiguration = config.MfaConfiguration;
      return config;
    },
    AddCustomAttributes: (i) => {
      const p = pools.get(i.UserPoolId)!;
      for (const a of i.CustomAttributes) {
        if (p.SchemaAttributes.some((x: Json) => x.Name === `custom:${a.Name}`)) throw new CognitoError("InvalidParameterException", `custom:${a.Name} exists`);
        p.SchemaAttributes.push({ ...a, Name: `custom:${a.Name}` });
      }
      return {};
    },
    CreateUserPoolClient: (i) => {
      const c = { ...i, ClientId: `client${++n}`, ...(i.GenerateSecret ? { ClientSecret: "s3cret" } : {}) };
      clients.get(i.UserPoolId)!.push(c);
      return { UserPoolClient: c };
    },
    ListUserPoolClients: (i) => ({ UserPoolClients: (clients.get(i.UserPoolId) ?? []).map((c) => ({ ClientId: c.ClientId, ClientName: c.ClientName })) }),
    ListResourceServers: () => ({ ResourceServers: [] }),
    ListIdentityProviders: () => ({ Providers: [] }),
    GetUICustomization: (i) => ({ UICustomization: { UserPoolId: i.UserPoolId, ClientId: i.ClientId ?? "ALL" } }),
    DescribeManagedLoginBrandingByClient: () => {
      throw new CognitoError("ResourceNotFoundException", "Managed login branding not found");
    },
    ListGroups: (i) => ({ Groups: (groups.get(i.UserPoolId) ?? []).map((g) => ({ ...g })) }),
    CreateGroup: (i) => {
      const list = groups.get(i.UserPoolId) ?? [];
      groups.set(i.UserPoolId, [...list, { ...i }]);
      return { Group: { ...i } };
    },
    ListUsersInGroup: (i) => {
      const names = members.get(`${i.UserPoolId}/${i.GroupName}`) ?? new Set();
      return { Users: (users.get(i.UserPoolId) ?? []).filter((u) => names.has(u.Username)).map((u) => ({ ...u })) };
    },
    AdminAddUserToGroup: (i) => {
      const key = `${i.UserPoolId}/${i.GroupName}`;
      members.set(key, new Set([...(members.get(key) ?? []), i.Username]));
      return {};
    },
    AdminRemoveUserFromGroup: (i) => {
      members.get(`${i.UserPoolId}/${i.GroupName}`)?.delete(i.Username);
      return {};
    },
    ListUsers: (i) => {
      let list = users.get(i.UserPoolId) ?? [];
      // One condition, `=` or `^=`, on the username or an attribute.
      const m = /^(\S+) (\^?=) "(.*)"$/.exec(i.Filter ?? "");
      if (m) {
        const [, name, op, value] = m as unknown as [string, string, string, string];
        const read = (u: Json) => (name === "username" ? u.Username : u.Attributes.find((a: Json) => a.Name === name)?.Value) ?? "";
        list = list.filter((u) => (op === "=" ? read(u) === value : read(u).startsWith(value)));
      }
      return { Users: list.map((u) => ({ ...u })) };
    },
    AdminCreateUser: (i) => {
      const list = users.get(i.UserPoolId)!;
      if (list.some((u) => u.Username === i.Username)) throw new CognitoError("UsernameExistsException", "User account already exists");
      // In a pool that signs in by e-mail the username becomes an internal id, as in Cognito.
      const byEmail = (pools.get(i.UserPoolId)?.UsernameAttributes ?? []).includes("email") && String(i.Username).includes("@");
      const Username = byEmail ? `0000000${++n}-aaaa-4bbb-8ccc-000000000000` : i.Username;
      const given = (i.UserAttributes ?? []) as Json[];
      const email = byEmail && !given.some((a) => a.Name === "email") ? [{ Name: "email", Value: i.Username }] : [];
      const u = { Username, Attributes: [{ Name: "sub", Value: `sub-${n}` }, ...given, ...email], Enabled: true, UserStatus: "FORCE_CHANGE_PASSWORD", UserCreateDate: now() };
      list.push(u);
      return { User: u };
    },
    AdminResetUserPassword: () => ({}),
    AdminUserGlobalSignOut: () => ({}),
    AdminGetUser: (i) => {
      const u = users.get(i.UserPoolId)?.find((x) => x.Username === i.Username);
      if (!u) throw new CognitoError("UserNotFoundException", "User does not exist.");
      return { Username: u.Username, UserAttributes: u.Attributes, Enabled: u.Enabled, UserStatus: u.UserStatus, UserCreateDate: u.UserCreateDate };
    },
    AdminDisableUser: (i) => {
      users.get(i.UserPoolId)!.find((x) => x.Username === i.Username)!.Enabled = false;
      return {};
    },
    AdminEnableUser: (i) => {
      users.get(i.UserPoolId)!.find((x) => x.Username === i.Username)!.Enabled = true;
      return {};
    },
    AdminDeleteUser: (i) => {
      users.set(i.UserPoolId, users.get(i.UserPoolId)!.filter((x) => x.Username !== i.Username));
      return {};
    },
    AdminListGroupsForUser: () => ({ Groups: [] }),
    AdminListUserAuthEvents: () => ({ AuthEvents: [] }),
  };

  const identity: Record<string, (i: Json) => Json> = {
    ListIdentityPools: () => ({ IdentityPools: [...identityPools.values()].map((p) => ({ IdentityPoolId: p.IdentityPoolId, IdentityPoolName: p.IdentityPoolName })) }),
    CreateIdentityPool: (i) => {
      const p = { ...i, IdentityPoolId: `us-east-1:ip${++n}` };
      identityPools.set(p.IdentityPoolId, p);
      return p;
    },
    DescribeIdentityPool: (i) => identityPools.get(i.IdentityPoolId)!,
    GetIdentityPoolRoles: (i) => ({ IdentityPoolId: i.IdentityPoolId, ...(roles.get(i.IdentityPoolId) ?? { Roles: {} }) }),
    SetIdentityPoolRoles: (i) => {
      roles.set(i.IdentityPoolId, { Roles: i.Roles, RoleMappings: i.RoleMappings });
      return {};
    },
    GetPrincipalTagAttributeMap: (i) => ({ IdentityPoolId: i.IdentityPoolId, IdentityProviderName: i.IdentityProviderName, UseDefaults: true, PrincipalTags: {} }),
  };

  const samlProvider = (arn: string) => {
    const p = samlProviders.get(arn);
    if (!p) throw new CognitoError("NoSuchEntityException", `SAMLProvider ${arn} does not exist.`);
    return p;
  };
  const iam: Record<string, (i: Json) => Json> = {
    ListSAMLProviders: () => ({ SAMLProviderList: [...samlProviders.values()].map((p) => ({ Arn: p.Arn, CreateDate: p.CreateDate })) }),
    CreateSAMLProvider: (i) => {
      const Arn = `arn:aws:iam::000000000000:saml-provider/${i.Name}`;
      if (samlProviders.has(Arn)) throw new CognitoError("EntityAlreadyExistsException", `SAMLProvider ${i.Name} already exists.`);
      samlProviders.set(Arn, { Arn, CreateDate: new Date(now() * 1000).toISOString(), SAMLMetadataDocument: i.SAMLMetadataDocument });
      return { SAMLProviderArn: Arn, Tags: [] };
    },
    GetSAMLProvider: (i) => {
      const p = samlProvider(i.SAMLProviderArn);
      return { SAMLProviderUUID: "00000000-0000-0000-0000-000000000000", SAMLMetadataDocument: p.SAMLMetadataDocument, CreateDate: p.CreateDate, Tags: [], AssertionEncryptionMode: "Allowed" };
    },
    UpdateSAMLProvider: (i) => {
      samlProvider(i.SAMLProviderArn).SAMLMetadataDocument = i.SAMLMetadataDocument;
      return { SAMLProviderArn: i.SAMLProviderArn };
    },
    DeleteSAMLProvider: (i) => {
      samlProvider(i.SAMLProviderArn);
      samlProviders.delete(i.SAMLProviderArn);
      return {};
    },
  };

  const pooldesk: Record<string, (i: Json) => Json> = {
    ListMessages: (i) => {
      const search = String(i.Search ?? "").toLowerCase();
      const list = messages.filter(
        (m) =>
          (!i.UserPoolId || m.UserPoolId === i.UserPoolId) &&
          (!i.Username || m.Username === i.Username) &&
          (!search || m.Username.toLowerCase().includes(search) || m.Destination.toLowerCase().includes(search)),
      );
      return { Messages: list, NextToken: null };
    },
    ListAuditEvents: () => ({ Events: auditEvents, NextToken: null }),
    ListTriggerInvocations: (i) => {
      const list = triggerInvocations.filter(
        (t) =>
          t.UserPoolId === i.UserPoolId &&
          (!i.Trigger || t.Trigger === i.Trigger) &&
          (!i.Outcome || (i.Outcome === "OK") === !t.Error),
      );
      const start = Number(i.NextToken ?? 0);
      const end = start + (i.MaxResults ?? 100);
      const page = list.slice(start, end).map(({ UserPoolId: _pool, ...t }) => t);
      return { Invocations: page, ...(end < list.length ? { NextToken: String(end) } : {}) };
    },
    TestTrigger: (i) => {
      const config = pools.get(i.UserPoolId)?.LambdaConfig ?? {};
      const named = i.Trigger === "PreTokenGeneration" ? (config.PreTokenGenerationConfig?.LambdaArn ?? config.PreTokenGeneration) : config[i.Trigger];
      // The custom senders are named by an object ({LambdaVersion, LambdaArn}), the rest by a plain ARN.
      const fn = typeof named === "object" && named ? named.LambdaArn : named;
      if (!fn) throw new CognitoError("InvalidParameterException", `The pool's LambdaConfig names no function for ${i.Trigger}.`);
      const answer = triggerAnswers.get(i.Trigger) ?? { Response: {} };
      const Id = ++n;
      const invocation = {
        Id,
        Trigger: i.Trigger,
        Source: `${i.Trigger}_SignUp`,
        Function: fn,
        Time: now() * 1000,
        DurationMs: 12,
        Event: { version: "1", triggerSource: `${i.Trigger}_SignUp`, userPoolId: i.UserPoolId, userName: "test-user", request: {}, response: {} },
        ...answer,
      };
      triggerInvocations.unshift({ ...invocation, UserPoolId: i.UserPoolId });
      return { Invocation: invocation };
    },
  };

  const check = (c: Json) => ({ connection: { ...c }, userPools: pools.size, clockOffsetSecs: 0 });
  const fail = (e: CognitoError) => ({ code: e.code, message: e.message });

  const app: Record<string, (a: Json) => unknown> = {
    app_info: () => ({ version: "0.0.0-test", databasePath: "/tmp/test.sqlite" }),
    serve_status: () => null,
    connections_list: () => connections.map((c) => ({ ...c })),
    connection_add: ({ input }) => {
      if (failures.add) throw fail(failures.add);
      const { name, endpoint, region, accessKeyId, replace } = input;
      const i = connections.findIndex((c) => c.name === name);
      if (i >= 0 && !replace) throw { code: "ConnectionExists", message: `A connection named "${name}" exists.` };
      const c = { name, endpoint, region, accessKeyId };
      if (i >= 0) connections[i] = c;
      else connections.push(c);
      return check(c);
    },
    connection_test: ({ name }) => {
      const c = connections.find((x) => x.name === name);
      if (!c) throw { code: "UnknownConnection", message: `No connection named "${name}".` };
      const f = failures.test.get(name);
      if (f) throw fail(f);
      return check(c);
    },
    connection_remove: ({ name }) => {
      const i = connections.findIndex((c) => c.name === name);
      if (i < 0) throw { code: "UnknownConnection", message: `No connection named "${name}".` };
      connections.splice(i, 1);
      return { name, secretDeleted: true };
    },
  };

  async function invoke(cmd: string, args?: Json): Promise<unknown> {
    if (cmd !== "call") {
      commands.push({ cmd, args: structuredClone(args) });
      const fn = app[cmd];
      if (!fn) throw { code: "UnknownCommand", message: cmd };
      return fn(args ?? {});
    }
    const { connection, target, input } = args as { connection: string; target: string; input: Json };
    log.push({ connection, target, input });
    if (connection !== "local" && !connections.some((c) => c.name === connection)) {
      throw { code: "UnknownConnection", message: `No connection named "${connection}".` };
    }
    const callFailure = failures.call.get(connection);
    if (callFailure) throw fail(callFailure);
    const [prefix, op] = target.split(".") as [string, string];
    const table =
      prefix === "AWSCognitoIdentityProviderService"
        ? idp
        : prefix === "AWSCognitoIdentityService"
          ? identity
          : prefix === "AWSIdentityManagementV20100508"
            ? iam
            : pooldesk;
    const fn = table[op];
    if (!fn) throw { code: "UnknownOperationException", message: target };
    try {
      return structuredClone(fn(input));
    } catch (e) {
      if (e instanceof CognitoError) throw { code: e.code, message: e.message };
      throw e;
    }
  }

  return { invoke, log, commands, connections, failures, pools, users, identityPools, roles, samlProviders, mfa, groups, members, messages, auditEvents, triggerInvocations, triggerAnswers };
}
