using System.Text.Json.Serialization;

namespace Gatehouse.Server.Dialects.Ccx;

// The wire shapes of CCX's auth API (CONTRACTS.md, "003"), with its exact JSON names.

/// <summary>CCX <c>User</c>: <c>id</c> is a string, <c>status</c> a number.</summary>
internal sealed record CcxUser(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("login")] string Login,
    [property: JsonPropertyName("firstName")] string FirstName,
    [property: JsonPropertyName("lastName")] string LastName,
    [property: JsonPropertyName("status")] int Status);

/// <summary>CCX <c>Error</c>: <c>code</c> is the HTTP status.</summary>
internal sealed record CcxError(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("error")] string Error) : IWireError
{
    public static IReadOnlyList<int> DocumentedStatuses { get; } = [400, 401, 403, 404, 405, 413, 415, 429, 500];
}

internal sealed record CcxLoginRequest(
    [property: JsonPropertyName("login")] string? Login,
    [property: JsonPropertyName("password")] string? Password);

internal sealed record CcxRegisterRequest(
    [property: JsonPropertyName("login")] string? Login,
    [property: JsonPropertyName("password")] string? Password,
    [property: JsonPropertyName("firstName")] string? FirstName,
    [property: JsonPropertyName("lastName")] string? LastName);

internal sealed record CcxResetPasswordRequest(
    [property: JsonPropertyName("login")] string? Login);

internal sealed record CcxResetRequest(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("token")] string? Token,
    [property: JsonPropertyName("password")] string? Password);

internal sealed record CcxConfirmRequest(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("token")] string? Token);

/// <summary>The dialect's own serializer context: numbers are strict, so <c>"login": 5</c> is a 400.</summary>
[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(CcxUser))]
[JsonSerializable(typeof(CcxError))]
[JsonSerializable(typeof(CcxLoginRequest))]
[JsonSerializable(typeof(CcxRegisterRequest))]
[JsonSerializable(typeof(CcxResetPasswordRequest))]
[JsonSerializable(typeof(CcxResetRequest))]
[JsonSerializable(typeof(CcxConfirmRequest))]
internal sealed partial class CcxJsonContext : JsonSerializerContext;
