using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
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

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
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
internal sealed partial class ArcJsonContext : JsonSerializerContext;

/// <summary>LoopBack's JSON answers: its error body and its content type.</summary>
internal static class ArcResults
{
    public const string ContentType = "application/json; charset=utf-8";

    public static IResult Json<T>(T value, JsonTypeInfo<T> type, int status = StatusCodes.Status200OK) =>
        new JsonBytes(JsonSerializer.SerializeToUtf8Bytes(value, type), status);

    public static IResult Raw(byte[] json, int status = StatusCodes.Status200OK) => new JsonBytes(json, status);

    private sealed class JsonBytes(byte[] body, int status) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.ContentType = ContentType;
            httpContext.Response.ContentLength = body.Length;
            return httpContext.Response.Body.WriteAsync(body).AsTask();
        }
    }

    /// <summary><c>{"error":{"statusCode":N,"name":"…","message":"…"}}</c> (a plain-string message).</summary>
    public static IResult Error(int status, string message) => Raw(ErrorBody(status, w => w.WriteString("message", message)), status);

    /// <summary>The same with <c>message</c> an object <c>{"message":"…"}</c>, as ARC's client/user/bearer checks answer (CONTRACTS.md 001).</summary>
    public static IResult ObjectError(int status, string message) => Raw(ErrorBody(status, w =>
    {
        w.WriteStartObject("message");
        w.WriteString("message", message);
        w.WriteEndObject();
    }), status);

    /// <summary>LoopBack's 422 for a body that fails its schema.</summary>
    public static IResult ValidationFailed(IReadOnlyList<Action<Utf8JsonWriter>> details) => Raw(ErrorBody(StatusCodes.Status422UnprocessableEntity, w =>
    {
        w.WriteString("message", "The request body is invalid. See error object `details` property for more info.");
        w.WriteString("code", "VALIDATION_FAILED");
        w.WriteStartArray("details");
        foreach (var detail in details)
        {
            w.WriteStartObject();
            detail(w);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }), StatusCodes.Status422UnprocessableEntity);

    public static IResult MissingParameter(string name) => Raw(ErrorBody(StatusCodes.Status400BadRequest, w =>
    {
        w.WriteString("message", $"Required parameter {name} is missing!");
        w.WriteString("code", "MISSING_REQUIRED_PARAMETER");
    }), StatusCodes.Status400BadRequest);

    public static IResult SyntaxError(string message) => Raw(ErrorBody(StatusCodes.Status400BadRequest, w => w.WriteString("message", message), "SyntaxError"), StatusCodes.Status400BadRequest);

    public static byte[] ErrorBody(int status, Action<Utf8JsonWriter> message, string? name = null)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        // LoopBack writes quotes and backticks as they are; this is a JSON body, never HTML.
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteStartObject("error");
            w.WriteNumber("statusCode", status);
            if (status >= 500)
            {
                // CONTRACTS.md 001: a 5xx says no more than this.
                w.WriteString("message", "Internal Server Error");
            }
            else
            {
                w.WriteString("name", name ?? Name(status));
                message(w);
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static string Name(int status) => status switch
    {
        400 => "BadRequestError",
        401 => "UnauthorizedError",
        403 => "ForbiddenError",
        404 => "NotFoundError",
        405 => "MethodNotAllowedError",
        409 => "ConflictError",
        413 => "PayloadTooLargeError",
        415 => "UnsupportedMediaTypeError",
        422 => "UnprocessableEntityError",
        429 => "TooManyRequestsError",
        _ => "HttpError",
    };

    public static string DefaultMessage(int status) => status switch
    {
        404 => "API not found !",
        405 => "Method Not Allowed",
        413 => "request entity too large",
        415 => "Content-type is not supported.",
        429 => "Too Many Requests",
        _ => "Bad Request",
    };
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
    public const int MaxBytes = 64 * 1024;

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    public JsonElement Root { get; } = root;

    public bool Has(string name) => Root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    public string? String(string name) => Root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public long? Number(string name) => Root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
        ? v.TryGetInt64(out var l) ? l : (long)Math.Clamp(v.GetDouble(), long.MinValue, long.MaxValue)
        : null;

    public bool? Bool(string name) => Root.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;

    /// <summary>
    /// Reads and checks a JSON body: malformed JSON is 400 SyntaxError; a body that breaks the
    /// schema is LoopBack's 422 VALIDATION_FAILED with one detail per problem; an empty body is
    /// an empty object (its required properties are then reported missing).
    /// </summary>
    public static async Task<(ArcBody? Body, IResult? Error)> ReadAsync(HttpContext http, ArcSchema schema)
    {
        var request = http.Request;
        if (await DialectBodies.ReadLimitedAsync(request, MaxBytes, http.RequestAborted) is not { } buffer)
        {
            return (null, ArcResults.Error(StatusCodes.Status413PayloadTooLarge, ArcResults.DefaultMessage(413)));
        }
        if (buffer.Length > 0 && request.ContentType is { } contentType && !contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, ArcResults.Error(StatusCodes.Status415UnsupportedMediaType, ArcResults.DefaultMessage(415)));
        }
        JsonElement root;
        if (buffer.Length == 0)
        {
            root = EmptyObject;
        }
        else
        {
            try
            {
                using var document = JsonDocument.Parse(buffer, new JsonDocumentOptions { MaxDepth = 64 });
                root = document.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                return (null, ArcResults.SyntaxError($"Unexpected token in JSON at position {ex.BytePositionInLine ?? 0}"));
            }
        }
        var details = Validate(root, schema);
        return details.Count > 0 ? (null, ArcResults.ValidationFailed(details)) : (new ArcBody(root), null);
    }

    private static List<Action<Utf8JsonWriter>> Validate(JsonElement root, ArcSchema schema)
    {
        var details = new List<Action<Utf8JsonWriter>>();
        if (root.ValueKind != JsonValueKind.Object)
        {
            details.Add(TypeDetail("", "object"));
            return details;
        }
        foreach (var property in schema.Properties.Where(p => p.Required && !root.TryGetProperty(p.Name, out _)))
        {
            details.Add(w =>
            {
                w.WriteString("path", "");
                w.WriteString("code", "required");
                w.WriteString("message", $"must have required property '{property.Name}'");
                w.WriteStartObject("info");
                w.WriteString("missingProperty", property.Name);
                w.WriteEndObject();
            });
        }
        foreach (var actual in root.EnumerateObject())
        {
            var declared = schema.Properties.FirstOrDefault(p => p.Name == actual.Name);
            if (declared is null)
            {
                if (!schema.AllowAdditional)
                {
                    var name = actual.Name;
                    details.Add(w =>
                    {
                        w.WriteString("path", "");
                        w.WriteString("code", "additionalProperties");
                        w.WriteString("message", "must NOT have additional properties");
                        w.WriteStartObject("info");
                        w.WriteString("additionalProperty", name);
                        w.WriteEndObject();
                    });
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

    private static Action<Utf8JsonWriter> TypeDetail(string path, string type) => w =>
    {
        w.WriteString("path", path);
        w.WriteString("code", "type");
        w.WriteString("message", $"must be {type}");
        w.WriteStartObject("info");
        w.WriteString("type", type);
        w.WriteEndObject();
    };
}
