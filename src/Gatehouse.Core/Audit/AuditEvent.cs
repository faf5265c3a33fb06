namespace Gatehouse.Core.Audit;

/// <summary>Something security-relevant that happened. Never holds a secret.</summary>
public sealed class AuditEvent
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public string Type { get; set; } = "";
    public string? UserId { get; set; }
    public string? ActorId { get; set; }
    public string? ClientId { get; set; }
    public string? IpAddress { get; set; }
    public string? Detail { get; set; }
}

public static class AuditTypes
{
    public const string SignInSucceeded = "sign_in.succeeded";
    public const string SignInFailed = "sign_in.failed";
    public const string Registered = "account.registered";
    public const string EmailConfirmed = "account.email_confirmed";
    public const string PasswordChanged = "account.password_changed";
    public const string PasswordReset = "account.password_reset";
    public const string ProfileUpdated = "account.profile_updated";
    public const string SessionEnded = "session.ended";
    public const string RefreshTokenReused = "session.refresh_token_reused";

    /// <summary>A public client's session refreshed with another client id than its own (the detail holds the id presented).</summary>
    public const string PublicClientIdPresented = "session.public_client_id_presented";
    public const string AdminUserCreated = "admin.user_created";
    public const string AdminUserUpdated = "admin.user_updated";
    public const string AdminUserDisabled = "admin.user_disabled";
    public const string AdminUserDeleted = "admin.user_deleted";
    public const string AdminRolesSet = "admin.roles_set";
    public const string AdminClientCreated = "admin.client_created";
    public const string AdminClientUpdated = "admin.client_updated";
    public const string AdminClientDeleted = "admin.client_deleted";
    public const string AdminSessionsEnded = "admin.sessions_ended";
    public const string AdminTeamCreated = "admin.team_created";
    public const string AdminTeamUpdated = "admin.team_updated";
    public const string AdminTeamDeleted = "admin.team_deleted";
    public const string AdminTeamMemberSet = "admin.team_member_set";
    public const string AdminTeamMemberRemoved = "admin.team_member_removed";
    public const string AdminInvitationSent = "admin.invitation_sent";
    public const string InvitationAccepted = "account.invitation_accepted";
}
