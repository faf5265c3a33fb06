using Gatehouse.Core.Accounts;
using Gatehouse.Core.Audit;
using Gatehouse.Core.Clients;
using Gatehouse.Core.Mail;
using Gatehouse.Core.Sessions;
using Gatehouse.Core.Teams;
using Gatehouse.Core.Tokens;

namespace Gatehouse.Storage.Sql;

/// <summary>
/// Every table the unit of work writes, matching the SQL migrations (Migrations/Sqlite,
/// Migrations/Postgres). The insert order puts parents before the rows whose foreign keys
/// name them.
/// </summary>
internal static class Maps
{
    public static EntityMap<User> Users { get; } = new("users", 0, () => new User(),
    [
        Col.Int64<User>("number", u => u.Number, (u, v) => u.Number = v),
        Col.Text<User>("id", u => u.Id, (u, v) => u.Id = v),
        Col.NullableText<User>("email", u => u.Email, (u, v) => u.Email = v),
        Col.NullableText<User>("normalized_email", u => u.NormalizedEmail, (u, v) => u.NormalizedEmail = v),
        Col.Bool<User>("email_confirmed", u => u.EmailConfirmed, (u, v) => u.EmailConfirmed = v),
        Col.NullableText<User>("username", u => u.Username, (u, v) => u.Username = v),
        Col.NullableText<User>("normalized_username", u => u.NormalizedUsername, (u, v) => u.NormalizedUsername = v),
        Col.NullableText<User>("password_hash", u => u.PasswordHash, (u, v) => u.PasswordHash = v),
        Col.NullableText<User>("first_name", u => u.FirstName, (u, v) => u.FirstName = v),
        Col.NullableText<User>("middle_name", u => u.MiddleName, (u, v) => u.MiddleName = v),
        Col.NullableText<User>("last_name", u => u.LastName, (u, v) => u.LastName = v),
        Col.NullableText<User>("phone", u => u.Phone, (u, v) => u.Phone = v),
        Col.NullableText<User>("bio", u => u.Bio, (u, v) => u.Bio = v),
        Col.NullableText<User>("location", u => u.Location, (u, v) => u.Location = v),
        Col.NullableDate<User>("birth_date", u => u.BirthDate, (u, v) => u.BirthDate = v),
        Col.NullableText<User>("timezone", u => u.Timezone, (u, v) => u.Timezone = v),
        Col.NullableText<User>("locale", u => u.Locale, (u, v) => u.Locale = v),
        Col.NullableText<User>("gender", u => u.Gender, (u, v) => u.Gender = v),
        Col.NullableText<User>("company", u => u.Company, (u, v) => u.Company = v),
        Col.NullableText<User>("job_title", u => u.JobTitle, (u, v) => u.JobTitle = v),
        Col.NullableText<User>("picture_id", u => u.PictureId, (u, v) => u.PictureId = v),
        Col.Int32<User>("status", u => (int)u.Status, (u, v) => u.Status = (UserStatus)v),
        Col.Text<User>("roles", u => u.Roles, (u, v) => u.Roles = v),
        Col.Int32<User>("failed_sign_ins", u => u.FailedSignIns, (u, v) => u.FailedSignIns = v),
        Col.NullableTime<User>("locked_until", u => u.LockedUntil, (u, v) => u.LockedUntil = v),
        Col.Time<User>("created_at", u => u.CreatedAt, (u, v) => u.CreatedAt = v),
        Col.Time<User>("updated_at", u => u.UpdatedAt, (u, v) => u.UpdatedAt = v),
        Col.NullableTime<User>("last_sign_in_at", u => u.LastSignInAt, (u, v) => u.LastSignInAt = v),
        Col.NullableTime<User>("tokens_valid_after", u => u.TokensValidAfter, (u, v) => u.TokensValidAfter = v),
    ], key: ["number"], identity: "number");

    public static EntityMap<Team> Teams { get; } = new("teams", 1, () => new Team(),
    [
        Col.Int64<Team>("number", t => t.Number, (t, v) => t.Number = v),
        Col.Text<Team>("id", t => t.Id, (t, v) => t.Id = v),
        Col.Text<Team>("name", t => t.Name, (t, v) => t.Name = v),
        Col.Time<Team>("created_at", t => t.CreatedAt, (t, v) => t.CreatedAt = v),
        Col.Time<Team>("updated_at", t => t.UpdatedAt, (t, v) => t.UpdatedAt = v),
    ], key: ["number"], identity: "number");

    public static EntityMap<Client> Clients { get; } = new("clients", 2, () => new Client(),
    [
        Col.Int64<Client>("number", c => c.Number, (c, v) => c.Number = v),
        Col.Text<Client>("client_id", c => c.ClientId, (c, v) => c.ClientId = v),
        Col.Text<Client>("name", c => c.Name, (c, v) => c.Name = v),
        Col.NullableText<Client>("protected_secret", c => c.ProtectedSecret, (c, v) => c.ProtectedSecret = v),
        Col.NullableText<Client>("protected_code_secret", c => c.ProtectedCodeSecret, (c, v) => c.ProtectedCodeSecret = v),
        Col.Text<Client>("redirect_uris", c => c.RedirectUris, (c, v) => c.RedirectUris = v),
        Col.NullableInt32<Client>("access_token_lifetime_seconds", c => c.AccessTokenLifetimeSeconds, (c, v) => c.AccessTokenLifetimeSeconds = v),
        Col.NullableInt32<Client>("refresh_token_lifetime_seconds", c => c.RefreshTokenLifetimeSeconds, (c, v) => c.RefreshTokenLifetimeSeconds = v),
        Col.NullableInt32<Client>("authorization_code_lifetime_seconds", c => c.AuthorizationCodeLifetimeSeconds, (c, v) => c.AuthorizationCodeLifetimeSeconds = v),
        Col.Bool<Client>("rotate_refresh_tokens", c => c.RotateRefreshTokens, (c, v) => c.RotateRefreshTokens = v),
        Col.Time<Client>("created_at", c => c.CreatedAt, (c, v) => c.CreatedAt = v),
        Col.Time<Client>("updated_at", c => c.UpdatedAt, (c, v) => c.UpdatedAt = v),
        Col.NullableTime<Client>("deleted_at", c => c.DeletedAt, (c, v) => c.DeletedAt = v),
        Col.NullableText<Client>("deleted_by", c => c.DeletedBy, (c, v) => c.DeletedBy = v),
    ], key: ["number"], identity: "number");

    public static EntityMap<Session> Sessions { get; } = new("sessions", 3, () => new Session(),
    [
        Col.Text<Session>("id", s => s.Id, (s, v) => s.Id = v),
        Col.Text<Session>("user_id", s => s.UserId, (s, v) => s.UserId = v),
        Col.NullableText<Session>("client_id", s => s.ClientId, (s, v) => s.ClientId = v),
        Col.Text<Session>("surface", s => s.Surface, (s, v) => s.Surface = v),
        Col.NullableText<Session>("device_id", s => s.DeviceId, (s, v) => s.DeviceId = v),
        Col.NullableText<Session>("user_agent", s => s.UserAgent, (s, v) => s.UserAgent = v),
        Col.NullableText<Session>("ip_address", s => s.IpAddress, (s, v) => s.IpAddress = v),
        Col.Int64<Session>("generation", s => s.Generation, (s, v) => s.Generation = v),
        Col.Bool<Session>("second_factor_pending", s => s.SecondFactorPending, (s, v) => s.SecondFactorPending = v),
        Col.NullableText<Session>("team_id", s => s.TeamId, (s, v) => s.TeamId = v),
        Col.Bool<Session>("rotate_refresh_tokens", s => s.RotateRefreshTokens, (s, v) => s.RotateRefreshTokens = v),
        Col.Int32<Session>("refresh_rules", s => (int)s.RefreshRules, (s, v) => s.RefreshRules = (RefreshRules)v),
        Col.Time<Session>("created_at", s => s.CreatedAt, (s, v) => s.CreatedAt = v),
        Col.Time<Session>("last_seen_at", s => s.LastSeenAt, (s, v) => s.LastSeenAt = v),
        Col.Time<Session>("expires_at", s => s.ExpiresAt, (s, v) => s.ExpiresAt = v),
        Col.NullableTime<Session>("ended_at", s => s.EndedAt, (s, v) => s.EndedAt = v),
        Col.NullableText<Session>("end_reason", s => s.EndReason, (s, v) => s.EndReason = v),
        Col.NullableText<Session>("secret_hash", s => s.SecretHash, (s, v) => s.SecretHash = v),
    ], key: ["id"]);

    public static EntityMap<RefreshToken> RefreshTokens { get; } = new("refresh_tokens", 4, () => new RefreshToken(),
    [
        Col.Text<RefreshToken>("hash", t => t.Hash, (t, v) => t.Hash = v),
        Col.Text<RefreshToken>("session_id", t => t.SessionId, (t, v) => t.SessionId = v),
        Col.Int64<RefreshToken>("generation", t => t.Generation, (t, v) => t.Generation = v),
        Col.Time<RefreshToken>("created_at", t => t.CreatedAt, (t, v) => t.CreatedAt = v),
        Col.Time<RefreshToken>("expires_at", t => t.ExpiresAt, (t, v) => t.ExpiresAt = v),
        Col.NullableTime<RefreshToken>("consumed_at", t => t.ConsumedAt, (t, v) => t.ConsumedAt = v),
        Col.NullableText<RefreshToken>("sealed_successor", t => t.SealedSuccessor, (t, v) => t.SealedSuccessor = v),
    ], key: ["hash"]);

    public static EntityMap<TeamMember> TeamMembers { get; } = new("team_members", 5, () => new TeamMember(),
    [
        Col.Text<TeamMember>("team_id", m => m.TeamId, (m, v) => m.TeamId = v),
        Col.Text<TeamMember>("user_id", m => m.UserId, (m, v) => m.UserId = v),
        Col.Text<TeamMember>("role", m => m.Role, (m, v) => m.Role = v),
        Col.Time<TeamMember>("created_at", m => m.CreatedAt, (m, v) => m.CreatedAt = v),
    ], key: ["team_id", "user_id"]);

    public static EntityMap<UserClient> UserClients { get; } = new("user_clients", 6, () => new UserClient(),
    [
        Col.Text<UserClient>("user_id", u => u.UserId, (u, v) => u.UserId = v),
        Col.Text<UserClient>("client_id", u => u.ClientId, (u, v) => u.ClientId = v),
        Col.Time<UserClient>("created_at", u => u.CreatedAt, (u, v) => u.CreatedAt = v),
    ], key: ["user_id", "client_id"]);

    public static EntityMap<SignInOtp> SignInOtps { get; } = new("sign_in_otps", 7, () => new SignInOtp(),
    [
        Col.Text<SignInOtp>("id", o => o.Id, (o, v) => o.Id = v),
        Col.Text<SignInOtp>("user_id", o => o.UserId, (o, v) => o.UserId = v),
        Col.Text<SignInOtp>("username", o => o.Username, (o, v) => o.Username = v),
        Col.Text<SignInOtp>("hash", o => o.Hash, (o, v) => o.Hash = v),
        Col.Time<SignInOtp>("created_at", o => o.CreatedAt, (o, v) => o.CreatedAt = v),
        Col.Time<SignInOtp>("expires_at", o => o.ExpiresAt, (o, v) => o.ExpiresAt = v),
        Col.NullableTime<SignInOtp>("consumed_at", o => o.ConsumedAt, (o, v) => o.ConsumedAt = v),
        Col.Int32<SignInOtp>("attempts", o => o.Attempts, (o, v) => o.Attempts = v),
    ], key: ["id"]);

    public static EntityMap<OneTimeToken> OneTimeTokens { get; } = new("one_time_tokens", 8, () => new OneTimeToken(),
    [
        Col.Text<OneTimeToken>("hash", t => t.Hash, (t, v) => t.Hash = v),
        Col.Text<OneTimeToken>("purpose", t => t.Purpose, (t, v) => t.Purpose = v),
        Col.NullableText<OneTimeToken>("user_id", t => t.UserId, (t, v) => t.UserId = v),
        Col.NullableText<OneTimeToken>("email", t => t.Email, (t, v) => t.Email = v),
        Col.NullableText<OneTimeToken>("payload", t => t.Payload, (t, v) => t.Payload = v),
        Col.Time<OneTimeToken>("created_at", t => t.CreatedAt, (t, v) => t.CreatedAt = v),
        Col.Time<OneTimeToken>("expires_at", t => t.ExpiresAt, (t, v) => t.ExpiresAt = v),
        Col.NullableTime<OneTimeToken>("consumed_at", t => t.ConsumedAt, (t, v) => t.ConsumedAt = v),
    ], key: ["hash"]);

    public static EntityMap<OutboxMessage> OutboxMessages { get; } = new("outbox_messages", 9, () => new OutboxMessage(),
    [
        Col.Int64<OutboxMessage>("id", m => m.Id, (m, v) => m.Id = v),
        Col.Text<OutboxMessage>("intent", m => m.Intent, (m, v) => m.Intent = v),
        Col.Text<OutboxMessage>("recipient", m => m.Recipient, (m, v) => m.Recipient = v),
        Col.Text<OutboxMessage>("subject", m => m.Subject, (m, v) => m.Subject = v),
        Col.Text<OutboxMessage>("protected_body", m => m.ProtectedBody, (m, v) => m.ProtectedBody = v),
        Col.Time<OutboxMessage>("created_at", m => m.CreatedAt, (m, v) => m.CreatedAt = v),
        Col.Time<OutboxMessage>("next_attempt_at", m => m.NextAttemptAt, (m, v) => m.NextAttemptAt = v),
        Col.Int32<OutboxMessage>("attempts", m => m.Attempts, (m, v) => m.Attempts = v),
        Col.NullableTime<OutboxMessage>("sent_at", m => m.SentAt, (m, v) => m.SentAt = v),
        Col.NullableTime<OutboxMessage>("failed_at", m => m.FailedAt, (m, v) => m.FailedAt = v),
        Col.NullableText<OutboxMessage>("last_error", m => m.LastError, (m, v) => m.LastError = v),
    ], key: ["id"], identity: "id");

    public static EntityMap<AuditEvent> AuditEvents { get; } = new("audit_events", 10, () => new AuditEvent(),
    [
        Col.Int64<AuditEvent>("id", e => e.Id, (e, v) => e.Id = v),
        Col.Time<AuditEvent>("at", e => e.At, (e, v) => e.At = v),
        Col.Text<AuditEvent>("type", e => e.Type, (e, v) => e.Type = v),
        Col.NullableText<AuditEvent>("user_id", e => e.UserId, (e, v) => e.UserId = v),
        Col.NullableText<AuditEvent>("actor_id", e => e.ActorId, (e, v) => e.ActorId = v),
        Col.NullableText<AuditEvent>("client_id", e => e.ClientId, (e, v) => e.ClientId = v),
        Col.NullableText<AuditEvent>("ip_address", e => e.IpAddress, (e, v) => e.IpAddress = v),
        Col.NullableText<AuditEvent>("detail", e => e.Detail, (e, v) => e.Detail = v),
    ], key: ["id"], identity: "id");

    public static EntityMap<SigningKey> SigningKeys { get; } = new("signing_keys", 11, () => new SigningKey(),
    [
        Col.Text<SigningKey>("key_id", k => k.KeyId, (k, v) => k.KeyId = v),
        Col.Text<SigningKey>("algorithm", k => k.Algorithm, (k, v) => k.Algorithm = v),
        Col.Text<SigningKey>("public_jwk", k => k.PublicJwk, (k, v) => k.PublicJwk = v),
        Col.Text<SigningKey>("protected_private_key", k => k.ProtectedPrivateKey, (k, v) => k.ProtectedPrivateKey = v),
        Col.Time<SigningKey>("created_at", k => k.CreatedAt, (k, v) => k.CreatedAt = v),
        Col.Time<SigningKey>("retires_at", k => k.RetiresAt, (k, v) => k.RetiresAt = v),
        Col.Time<SigningKey>("expires_at", k => k.ExpiresAt, (k, v) => k.ExpiresAt = v),
    ], key: ["key_id"]);
}
