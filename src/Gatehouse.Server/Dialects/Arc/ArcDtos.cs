using System.Text.Json;
using System.Text.Json.Serialization;
using Gatehouse.Core.Accounts;
using Gatehouse.Core.Clients;
using Gatehouse.Core.Sessions;

namespace Gatehouse.Server.Dialects.Arc;

// Wire shapes of ARC authentication-service 4.0 (../shared/seeds/001_*.txt, CONTRACTS.md "001").

internal sealed record ArcCodeResponse([property: JsonPropertyName("code")] string Code);

internal sealed record ArcTokenResponse(
    [property: JsonPropertyName("accessToken")] string AccessToken,
    [property: JsonPropertyName("refreshToken")] string RefreshToken,
    // CONTRACTS.md 001: the access token's expiry in epoch milliseconds.
    [property: JsonPropertyName("expires")] long Expires)
{
    public static ArcTokenResponse From(TokenPair tokens) =>
        new(tokens.AccessToken, tokens.RefreshToken, tokens.AccessTokenExpiresAt.ToUnixTimeMilliseconds());
}

internal sealed record ArcSuccess([property: JsonPropertyName("success")] bool Success);

internal sealed record ArcCount([property: JsonPropertyName("count")] int Count);

internal sealed record ArcUser(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("firstName")] string? FirstName,
    [property: JsonPropertyName("lastName")] string? LastName,
    [property: JsonPropertyName("middleName")] string? MiddleName,
    [property: JsonPropertyName("username")] string? Username,
    [property: JsonPropertyName("email")] string? Email,
    [property: JsonPropertyName("phone")] string? Phone,
    [property: JsonPropertyName("authClientIds")] IReadOnlyList<long> AuthClientIds,
    [property: JsonPropertyName("lastLogin")] DateTimeOffset? LastLogin,
    [property: JsonPropertyName("dob")] string? Dob,
    [property: JsonPropertyName("gender")] string? Gender,
    [property: JsonPropertyName("permissions")] IReadOnlyList<string> Permissions,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("authClientId")] long? AuthClientId,
    [property: JsonPropertyName("tenantId")] string? TenantId,
    [property: JsonPropertyName("status")] int Status)
{
    public static ArcUser From(ClientUserProfile profile)
    {
        var user = profile.User;
        return new ArcUser(
            user.Id,
            user.FirstName,
            user.LastName,
            user.MiddleName,
            user.Username ?? user.Email,
            user.Email,
            user.Phone,
            profile.AllowedClients.Select(c => c.Number).ToList(),
            user.LastSignInAt,
            user.BirthDate?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            user.Gender,
            user.RoleList,
            user.IsAdmin ? KnownRoles.Admin : "user",
            profile.CurrentClient?.Number,
            null,
            // ARC's user status numbers: 0 registered, 1 active, 2 inactive.
            user.Status switch { UserStatus.Pending => 0, UserStatus.Active => 1, _ => 2 });
    }
}

internal sealed record ArcAuthClient(
    [property: JsonPropertyName("deleted")] bool Deleted,
    [property: JsonPropertyName("deletedOn")] DateTimeOffset? DeletedOn,
    [property: JsonPropertyName("deletedBy")] string? DeletedBy,
    [property: JsonPropertyName("createdOn")] DateTimeOffset CreatedOn,
    [property: JsonPropertyName("modifiedOn")] DateTimeOffset ModifiedOn,
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("clientId")] string ClientId,
    [property: JsonPropertyName("clientSecret")] string? ClientSecret,
    [property: JsonPropertyName("secret")] string? Secret,
    [property: JsonPropertyName("redirectUrl")] string? RedirectUrl,
    [property: JsonPropertyName("accessTokenExpiration")] long AccessTokenExpiration,
    [property: JsonPropertyName("refreshTokenExpiration")] long RefreshTokenExpiration,
    [property: JsonPropertyName("authCodeExpiration")] long AuthCodeExpiration);

internal sealed record ArcOtp(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("otp")] string Otp,
    [property: JsonPropertyName("username")] string Username);

internal sealed record ArcSignUpClaims(
    [property: JsonPropertyName("email")] string? Email,
    [property: JsonPropertyName("iat")] long Iat,
    [property: JsonPropertyName("exp")] long Exp);

internal sealed record ArcSignUpResult(
    [property: JsonPropertyName("email")] string? Email,
    [property: JsonPropertyName("user")] ArcUser User);

/// <summary>
/// LoopBack's error body: <c>{"error":{"statusCode":N,"name":"…","message":…}}</c>, where the
/// message is a string, or an object <c>{"message":"…"}</c> for the refusals of the
/// client/user/bearer checks (CONTRACTS.md 001); a 5xx has no name and says no more than
/// "Internal Server Error".
/// </summary>
internal sealed record ArcError([property: JsonPropertyName("error")] ArcErrorInfo Error) : IWireError
{
    public static IReadOnlyList<int> DocumentedStatuses { get; } = [400, 401, 403, 404, 409, 413, 415, 422, 429, 500];
}

internal sealed record ArcErrorInfo(
    [property: JsonPropertyName("statusCode")] int StatusCode,
    [property: JsonPropertyName("name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Name,
    // A string or an ArcMessage.
    [property: JsonPropertyName("message")] object Message,
    [property: JsonPropertyName("code"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Code = null,
    [property: JsonPropertyName("details"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ArcErrorDetail>? Details = null);

internal sealed record ArcMessage([property: JsonPropertyName("message")] string Message);

/// <summary>One problem of a body that fails its schema, as LoopBack (AJV) reports it.</summary>
internal sealed record ArcErrorDetail(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("info")] ArcErrorDetailInfo Info);

internal sealed record ArcErrorDetailInfo(
    [property: JsonPropertyName("missingProperty"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? MissingProperty = null,
    [property: JsonPropertyName("additionalProperty"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AdditionalProperty = null,
    [property: JsonPropertyName("type"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Type = null);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ArcError))]
[JsonSerializable(typeof(ArcMessage))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(ArcCodeResponse))]
[JsonSerializable(typeof(ArcTokenResponse))]
[JsonSerializable(typeof(ArcSuccess))]
[JsonSerializable(typeof(ArcCount))]
[JsonSerializable(typeof(ArcUser))]
[JsonSerializable(typeof(ArcAuthClient))]
[JsonSerializable(typeof(List<ArcAuthClient>))]
[JsonSerializable(typeof(ArcOtp))]
[JsonSerializable(typeof(ArcSignUpClaims))]
[JsonSerializable(typeof(ArcSignUpResult))]
internal sealed partial class ArcJsonContext : JsonSerializerContext
{
    /// <summary>LoopBack writes quotes and backticks as they are; error bodies are JSON, never HTML.</summary>
    public static ArcJsonContext Relaxed { get; } = new(new JsonSerializerOptions
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}

internal enum ArcType
{
    String,
    Number,
    Boolean,
    Object,
}

internal sealed record ArcProperty(string Name, ArcType Type, bool Required = false, bool Nullable = false);

/// <summary>
/// A request body schema as LoopBack declares it (additional properties refused). Checking it
/// is wire validation, the dialect's job; what the values mean is the core's.
/// </summary>
internal sealed record ArcSchema(params ArcProperty[] Properties)
{
    public bool AllowAdditional { get; init; }
}

/// <summary>A body that passed its schema.</summary>
internal sealed class ArcBody(JsonElement root)
{
    public JsonElement Root { get; } = root;

    public bool Has(string name) => Root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    public string? String(string name) => Root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public long? Number(string name) => Root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
        ? v.TryGetInt64(out var l) ? l : (long)Math.Clamp(v.GetDouble(), long.MinValue, long.MaxValue)
        : null;

    public bool? Bool(string name) => Root.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;

    /// <summary>The body's problems against its schema, LoopBack's way: required, additional, then types.</summary>
    public static List<ArcErrorDetail> Validate(JsonElement root, ArcSchema schema)
    {
        var details = new List<ArcErrorDetail>();
        if (root.ValueKind != JsonValueKind.Object)
        {
            details.Add(TypeDetail("", "object"));
            return details;
        }
        foreach (var property in schema.Properties.Where(p => p.Required && !root.TryGetProperty(p.Name, out _)))
        {
            details.Add(new ArcErrorDetail("", "required", $"must have required property '{property.Name}'", new ArcErrorDetailInfo(MissingProperty: property.Name)));
        }
        foreach (var actual in root.EnumerateObject())
        {
            var declared = schema.Properties.FirstOrDefault(p => p.Name == actual.Name);
            if (declared is null)
            {
                if (!schema.AllowAdditional)
                {
                    details.Add(new ArcErrorDetail("", "additionalProperties", "must NOT have additional properties", new ArcErrorDetailInfo(AdditionalProperty: actual.Name)));
                }
                continue;
            }
            var kind = actual.Value.ValueKind;
            var ok = (kind == JsonValueKind.Null && declared.Nullable) || declared.Type switch
            {
                ArcType.String => kind == JsonValueKind.String,
                ArcType.Number => kind == JsonValueKind.Number,
                ArcType.Boolean => kind is JsonValueKind.True or JsonValueKind.False,
                ArcType.Object => kind == JsonValueKind.Object,
                _ => false,
            };
            if (!ok)
            {
                details.Add(TypeDetail("/" + declared.Name, declared.Type.ToString().ToLowerInvariant()));
            }
        }
        return details;
    }

    private static ArcErrorDetail TypeDetail(string path, string type) => new(path, "type", $"must be {type}", new ArcErrorDetailInfo(Type: type));
}
