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
  const log: { target: string; input: Json }[] = [];
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
    CreateUserPoolClient: (i) => {
      const c = { ...i, ClientId: `client${++n}`, ...(i.GenerateSecret ? { ClientSecret: "s3cret" } : {}) };
      clients.get(i.UserPoolId)!.push(c);
      return { UserPoolClient: c };
    },
    ListUserPoolClients: (i) => ({ UserPoolClients: (clients.get(i.UserPoolId) ?? []).map((c) => ({ ClientId: c.ClientId, ClientName: c.ClientName })) }),
    ListGroups: () => ({ Groups: [] }),
    ListUsers: (i) => {
      let list = users.get(i.UserPoolId) ?? [];
      const m = /^username \^= "(.*)"$/.exec(i.Filter ?? "");
      if (m) list = list.filter((u) => u.Username.startsWith(m[1]));
      return { Users: list.map((u) => ({ ...u })) };
    },
    AdminCreateUser: (i) => {
      const list = users.get(i.UserPoolId)!;
      if (list.some((u) => u.Username === i.Username)) throw new CognitoError("UsernameExistsException", "User account already exists");
      const u = { Username: i.Username, Attributes: [{ Name: "sub", Value: `sub-${n}` }, ...(i.UserAttributes ?? [])], Enabled: true, UserStatus: "FORCE_CHANGE_PASSWORD", UserCreateDate: now() };
      list.push(u);
      return { User: u };
    },
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

  const pooldesk: Record<string, (i: Json) => Json> = {
    ListMessages: () => ({ Messages: [], NextToken: null }),
  };

  async function invoke(cmd: string, args?: Json): Promise<unknown> {
    if (cmd === "app_info") return { version: "0.0.0-test", databasePath: "/tmp/test.sqlite" };
    if (cmd === "serve_status") return null;
    if (cmd !== "call") throw { code: "UnknownCommand", message: cmd };
    const { target, input } = args as { target: string; input: Json };
    log.push({ target, input });
    const [prefix, op] = target.split(".") as [string, string];
    const table =
      prefix === "AWSCognitoIdentityProviderService" ? idp : prefix === "AWSCognitoIdentityService" ? identity : pooldesk;
    const fn = table[op];
    if (!fn) throw { code: "UnknownOperationException", message: target };
    try {
      return structuredClone(fn(input));
    } catch (e) {
      if (e instanceof CognitoError) throw { code: e.code, message: e.message };
      throw e;
    }
  }

  return { invoke, log, pools, users, identityPools, roles };
}
