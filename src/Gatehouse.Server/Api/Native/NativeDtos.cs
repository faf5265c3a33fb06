using System.Text.Json.Serialization;
using Gatehouse.Core.Accounts;
using Gatehouse.Core.Audit;
using Gatehouse.Core.Clients;
using Gatehouse.Core.Sessions;

namespace Gatehouse.Server.Api.Native;

// Wire shapes of the native API. Requests refuse unknown members, so a misspelt field is a 400,
// not silently ignored.

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RegisterRequest(string? Email, string? Username, string? Password, string? FirstName, string? LastName);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SignInRequest(string? Login, string? Password, string? DeviceId);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RefreshRequest(string? RefreshToken);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TokenRequest(string? Token);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PasswordResetRequest(string? Login);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AcceptInvitationRequest(string? Token, string? Password, string? FirstName, string? LastName);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CompletePasswordResetRequest(string? Token, string? NewPassword);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UpdateProfileRequest(
    string? Username,
    string? FirstName,
    string? MiddleName,
    string? LastName,
    string? Phone,
    string? Bio,
    string? Location,
    DateOnly? BirthDate,
    string? Timezone,
    string? Locale,
    string? Gender,
    string? Company,
    string? JobTitle)
{
    public ProfileUpdate ToCore() => new()
    {
        Username = Username,
        FirstName = FirstName,
        MiddleName = MiddleName,
        LastName = LastName,
        Phone = Phone,
        Bio = Bio,
        Location = Location,
        Timezone = Timezone,
        Locale = Locale,
        Gender = Gender,
        Company = Company,
        JobTitle = JobTitle,
        BirthDate = BirthDate,
        BirthDateSet = BirthDate is not null,
    };
}

public sealed record TokenResponse(
    string AccessToken,
    string TokenType,
    long ExpiresIn,
    DateTimeOffset AccessTokenExpiresAt,
    string RefreshToken,
    DateTimeOffset RefreshTokenExpiresAt,
    string SessionId)
{
    public static TokenResponse From(TokenPair pair, DateTimeOffset now) =>
        new(pair.AccessToken, "Bearer", (long)Math.Max(0, Math.Ceiling((pair.AccessTokenExpiresAt - now).TotalSeconds)), pair.AccessTokenExpiresAt, pair.RefreshToken, pair.RefreshTokenExpiresAt, pair.SessionId);
}

public sealed record UserResponse(
    string Id,
    long Number,
    string? Email,
    bool EmailConfirmed,
    string? Username,
    string? FirstName,
    string? MiddleName,
    string? LastName,
    string? Phone,
    string? Bio,
    string? Location,
    DateOnly? BirthDate,
    string? Timezone,
    string? Locale,
    string? Gender,
    string? Company,
    string? JobTitle,
    string Status,
    IReadOnlyList<string> Roles,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? LastSignInAt)
{
    public static UserResponse From(User u) => new(
        u.Id, u.Number, u.Email, u.EmailConfirmed, u.Username, u.FirstName, u.MiddleName, u.LastName, u.Phone, u.Bio, u.Location,
        u.BirthDate, u.Timezone, u.Locale, u.Gender, u.Company, u.JobTitle, u.Status.ToString().ToLowerInvariant(), u.RoleList,
        u.CreatedAt, u.UpdatedAt, u.LastSignInAt);
}

public sealed record SessionResponse(
    string Id,
    bool Current,
    string Surface,
    string? ClientId,
    string? DeviceId,
    string? UserAgent,
    string? IpAddress,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastSeenAt,
    DateTimeOffset ExpiresAt)
{
    public static SessionResponse From(Session s, string currentSessionId) =>
        new(s.Id, s.Id == currentSessionId, s.Surface, s.ClientId, s.DeviceId, s.UserAgent, s.IpAddress, s.CreatedAt, s.LastSeenAt, s.ExpiresAt);
}

public sealed record PageResponse<T>(IReadOnlyList<T> Items, int Total, int Offset, int Limit);

// Admin shapes.

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AdminCreateUserRequest(string? Email, string? Username, string? Password, string? FirstName, string? LastName, IReadOnlyList<string>? Roles, bool? EmailConfirmed);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AdminUpdateUserRequest(
    string? Username,
    string? FirstName,
    string? MiddleName,
    string? LastName,
    string? Phone,
    string? Bio,
    string? Location,
    DateOnly? BirthDate,
    string? Timezone,
    string? Locale,
    string? Gender,
    string? Company,
    string? JobTitle,
    bool? EmailConfirmed)
{
    /// <summary>The profile part: the same fields, and the same mapping, as a user's own update.</summary>
    public ProfileUpdate ToCore() =>
        new UpdateProfileRequest(Username, FirstName, MiddleName, LastName, Phone, Bio, Location, BirthDate, Timezone, Locale, Gender, Company, JobTitle).ToCore();
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SetRolesRequest(IReadOnlyList<string>? Roles);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SetDisabledRequest(bool? Disabled);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ClientRequest(
    string? ClientId,
    string? Name,
    string? Secret,
    IReadOnlyList<string>? RedirectUris,
    int? AccessTokenLifetimeSeconds,
    int? RefreshTokenLifetimeSeconds,
    int? AuthorizationCodeLifetimeSeconds,
    bool? RotateRefreshTokens);

public sealed record ClientResponse(
    long Number,
    string ClientId,
    string Name,
    string? Secret,
    IReadOnlyList<string> RedirectUris,
    int? AccessTokenLifetimeSeconds,
    int? RefreshTokenLifetimeSeconds,
    int? AuthorizationCodeLifetimeSeconds,
    bool RotateRefreshTokens,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static ClientResponse From(Client c, string? secret) => new(
        c.Number, c.ClientId, c.Name, secret, c.RedirectUriList, c.AccessTokenLifetimeSeconds, c.RefreshTokenLifetimeSeconds,
        c.AuthorizationCodeLifetimeSeconds, c.RotateRefreshTokens, c.CreatedAt, c.UpdatedAt);
}

public sealed record AuditEventResponse(long Id, DateTimeOffset At, string Type, string? UserId, string? ActorId, string? ClientId, string? IpAddress, string? Detail)
{
    public static AuditEventResponse From(AuditEvent e) => new(e.Id, e.At, e.Type, e.UserId, e.ActorId, e.ClientId, e.IpAddress, e.Detail);
}

[JsonSerializable(typeof(RegisterRequest))]
[JsonSerializable(typeof(SignInRequest))]
[JsonSerializable(typeof(RefreshRequest))]
[JsonSerializable(typeof(ChangePasswordRequest))]
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(PasswordResetRequest))]
[JsonSerializable(typeof(CompletePasswordResetRequest))]
[JsonSerializable(typeof(AcceptInvitationRequest))]
[JsonSerializable(typeof(UpdateProfileRequest))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(UserResponse))]
[JsonSerializable(typeof(SessionResponse))]
[JsonSerializable(typeof(IReadOnlyList<SessionResponse>))]
[JsonSerializable(typeof(PageResponse<UserResponse>))]
[JsonSerializable(typeof(PageResponse<ClientResponse>))]
[JsonSerializable(typeof(PageResponse<AuditEventResponse>))]
[JsonSerializable(typeof(AdminCreateUserRequest))]
[JsonSerializable(typeof(AdminUpdateUserRequest))]
[JsonSerializable(typeof(SetRolesRequest))]
[JsonSerializable(typeof(SetDisabledRequest))]
[JsonSerializable(typeof(ClientRequest))]
[JsonSerializable(typeof(ClientResponse))]
[JsonSerializable(typeof(Api.SystemEndpoints.HealthResponse))]
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
internal sealed partial class NativeJsonContext : JsonSerializerContext;
