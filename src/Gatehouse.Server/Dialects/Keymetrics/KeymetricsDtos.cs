using System.Text.Json;
using System.Text.Json.Serialization;
using Gatehouse.Core.Accounts;

namespace Gatehouse.Server.Dialects.Keymetrics;

// Wire shapes of the PM2.io / Keymetrics OAuth service (CONTRACTS.md, "000"). Requests are read
// field by field (KeymetricsFields), because the same route takes JSON or a form and accept_terms
// may be a number or a boolean; only responses are typed.

/// <summary>The user model; the contract leaves it open, so it carries what the sign-up sent.</summary>
internal sealed record KeymetricsUser(
    [property: JsonPropertyName("_id")] string Id,
    [property: JsonPropertyName("username")] string? Username,
    [property: JsonPropertyName("email")] string? Email,
    [property: JsonPropertyName("role")] string? Role,
    [property: JsonPropertyName("company")] string? Company,
    [property: JsonPropertyName("email_validated")] bool EmailValidated,
    [property: JsonPropertyName("created_at")] string CreatedAt)
{
    public static KeymetricsUser From(User user) =>
        new(user.Id, user.Username, user.Email, user.JobTitle, user.Company, user.EmailConfirmed, KeymetricsTime.Format(user.CreatedAt));
}

internal sealed record KeymetricsAccessToken(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("expire_at")] string ExpireAt,
    [property: JsonPropertyName("token_type")] string TokenType);

internal sealed record KeymetricsRefreshToken([property: JsonPropertyName("token")] string Token);

/// <summary>
/// POST /register. The document names the refresh token <c>refreshToken</c>, the real service
/// <c>refresh_token</c>: both are sent, so clients of either keep working.
/// </summary>
internal sealed record KeymetricsRegisterResponse(
    [property: JsonPropertyName("user")] KeymetricsUser User,
    [property: JsonPropertyName("access_token")] KeymetricsAccessToken AccessToken,
    [property: JsonPropertyName("refresh_token")] KeymetricsRefreshToken RefreshToken,
    [property: JsonPropertyName("refreshToken")] KeymetricsRefreshToken RefreshTokenAlias);

/// <summary>POST /token.</summary>
internal sealed record KeymetricsTokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("refresh_token")] string RefreshToken,
    [property: JsonPropertyName("expire_at")] string ExpireAt,
    [property: JsonPropertyName("token_type")] string TokenType);

/// <summary>The dialect's error body, and its success acknowledgement.</summary>
internal sealed record KeymetricsMessage([property: JsonPropertyName("msg")] string Msg) : IWireError
{
    public static IReadOnlyList<int> DocumentedStatuses { get; } = [400, 401, 404, 405, 409, 413, 415, 429, 500];
}

/// <summary>One field of a validation error: <c>{"&lt;field&gt;": {"message": "..."}}</c>.</summary>
internal sealed record KeymetricsFieldError([property: JsonPropertyName("message")] string Message);

/// <summary>A validation error: one entry per refused field.</summary>
internal sealed class KeymetricsFieldErrors : Dictionary<string, KeymetricsFieldError>, IWireError
{
    public KeymetricsFieldErrors() : base(StringComparer.Ordinal)
    {
    }

    public static IReadOnlyList<int> DocumentedStatuses { get; } = [400];
}

/// <summary>RFC 6749 section 5.2 error body of /token.</summary>
internal sealed record KeymetricsOAuthError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string ErrorDescription) : IWireError
{
    public static IReadOnlyList<int> DocumentedStatuses { get; } = [400];
}

/// <summary>
/// A request body of this dialect, read as JSON or as a form (the service's clients send both to
/// /token). Values are kept as JSON so that one set of accessors serves both.
/// </summary>
internal sealed class KeymetricsFields(IReadOnlyDictionary<string, JsonElement> fields)
{
    public static KeymetricsFields Empty { get; } = new(new Dictionary<string, JsonElement>());

    public static KeymetricsFields FromJson(JsonElement root) =>
        new(root.EnumerateObject().GroupBy(p => p.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal));

    public static KeymetricsFields FromForm(IReadOnlyDictionary<string, string> form) =>
        new(form.ToDictionary(f => f.Key, f => JsonSerializer.SerializeToElement(f.Value, KeymetricsJsonContext.Default.String), StringComparer.Ordinal));

    /// <summary>A string field: null when absent, JSON null or blank; <paramref name="wrongType"/> when it is not a string.</summary>
    public string? String(string name, out bool wrongType)
    {
        wrongType = false;
        if (!fields.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            wrongType = true;
            return null;
        }
        return string.IsNullOrWhiteSpace(value.GetString()) ? null : value.GetString();
    }

    public string? String(string name) => String(name, out _);

    /// <summary>True for <c>true</c> and <c>1</c> (also as strings, as a form sends them).</summary>
    public bool IsTruthy(string name) =>
        fields.TryGetValue(name, out var value) && value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.Number => value.TryGetInt64(out var n) && n == 1,
            JsonValueKind.String => value.GetString() is "1" or "true",
            _ => false,
        };
}

internal static class KeymetricsTime
{
    /// <summary>UTC ISO 8601 with milliseconds, as JavaScript's <c>Date.toISOString()</c> writes it.</summary>
    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}

[JsonSerializable(typeof(KeymetricsRegisterResponse))]
[JsonSerializable(typeof(KeymetricsTokenResponse))]
[JsonSerializable(typeof(KeymetricsMessage))]
[JsonSerializable(typeof(KeymetricsFieldErrors))]
[JsonSerializable(typeof(KeymetricsOAuthError))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(string))]
internal sealed partial class KeymetricsJsonContext : JsonSerializerContext;
