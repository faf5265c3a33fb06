using Gatehouse.Core.Common;
using Gatehouse.Core.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Server.Dialects.Keymetrics;

/// <summary>
/// The dialect's one mapper from core results and failures to its bodies: <c>{"msg"}</c>,
/// <c>{"&lt;field&gt;": {"message"}}</c>, and OAuth's <c>{error, error_description}</c> on /token.
/// </summary>
internal static class KeymetricsMapper
{
    public static WireJson<T, Status200> Ok<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) => new(value, type);

    public static WireJson<KeymetricsMessage, Status200> Ok(string message) => new(new KeymetricsMessage(message), KeymetricsJsonContext.Default.KeymetricsMessage);

    public static WireError<KeymetricsMessage> Message(int status, string message) =>
        new(status, new KeymetricsMessage(message), KeymetricsJsonContext.Default.KeymetricsMessage);

    public static WireError<KeymetricsFieldErrors> Fields(IEnumerable<KeyValuePair<string, string>> problems)
    {
        var body = new KeymetricsFieldErrors();
        foreach (var (field, message) in problems)
        {
            body[field] = new KeymetricsFieldError(message);
        }
        return new(StatusCodes.Status400BadRequest, body, KeymetricsJsonContext.Default.KeymetricsFieldErrors);
    }

    public static WireError<KeymetricsFieldErrors> Field(string field, string message) => Fields([new(field, message)]);

    /// <summary>RFC 6749 section 5.2; the contract answers every /token failure with 400.</summary>
    public static WireError<KeymetricsOAuthError> OAuth(HttpContext http, string error, string description, int status = StatusCodes.Status400BadRequest)
    {
        NoStore(http);
        return new(status, new KeymetricsOAuthError(error, description), KeymetricsJsonContext.Default.KeymetricsOAuthError);
    }

    /// <summary>RFC 6749 section 5.1: token responses must not be cached.</summary>
    public static void NoStore(HttpContext http)
    {
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.Pragma = "no-cache";
    }

    /// <summary>An unreadable body of a /token request.</summary>
    public static WireError<KeymetricsOAuthError> UnreadableTokenRequest(HttpContext http, BodyOutcome outcome) =>
        OAuth(http, "invalid_request", outcome switch
        {
            BodyOutcome.TooLarge => "The request body is too large.",
            BodyOutcome.UnsupportedMediaType => "Send JSON or application/x-www-form-urlencoded.",
            _ => "The request body is malformed.",
        });

    /// <summary>An unreadable body of any other route.</summary>
    public static WireError<KeymetricsMessage> Unreadable(BodyOutcome outcome) => outcome switch
    {
        BodyOutcome.TooLarge => Message(StatusCodes.Status413PayloadTooLarge, "Request body too large"),
        BodyOutcome.UnsupportedMediaType => Message(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type, send JSON"),
        _ => Message(StatusCodes.Status400BadRequest, "Malformed JSON body"),
    };

    /// <summary>401 for a bearer route, saying why in WWW-Authenticate (RFC 6750 section 3).</summary>
    public static WireError<KeymetricsMessage> Unauthorized(HttpContext http, BearerStatus status)
    {
        DialectBearer.Challenge(http, status);
        return Message(StatusCodes.Status401Unauthorized, status switch
        {
            BearerStatus.Missing => "Authentication required",
            BearerStatus.Expired => "Access token expired",
            BearerStatus.Revoked => "Access token revoked",
            _ => "Invalid access token",
        });
    }

    /// <summary>A refused refresh: RFC 6749's invalid_grant, with the core's reason in words.</summary>
    public static WireError<KeymetricsOAuthError> Refresh(HttpContext http, CoreError error) => OAuth(http, "invalid_grant", error.Code switch
    {
        CoreErrors.ExpiredTokenCode => "The refresh token has expired.",
        CoreErrors.SessionEndedCode => "The refresh token was revoked.",
        CoreErrors.AccountDisabledCode => "The account is disabled.",
        _ => "The refresh token is invalid.",
    });

    /// <summary>A refused revocation: 404 when the session is already gone (CONTRACTS.md), else 401.</summary>
    public static WireError<KeymetricsMessage> Revoke(HttpContext http, CoreError error) => error.Code == CoreErrors.SessionEndedCode
        ? Message(StatusCodes.Status404NotFound, "Token not found")
        : Unauthorized(http, BearerStatus.Revoked);

    /// <summary>A failed registration.</summary>
    public static Results<WireJson<KeymetricsRegisterResponse, Status200>, WireError<KeymetricsMessage>, WireError<KeymetricsFieldErrors>> Registration(CoreError error) => error.Code switch
    {
        // The document: "500 either the registration of new user is disabled or ...".
        CoreErrors.RegistrationDisabledCode => Message(StatusCodes.Status500InternalServerError, "Registration is disabled"),
        CoreErrors.InvalidClientCode => Message(StatusCodes.Status500InternalServerError, "The OAuth client of this service is unavailable"),
        CoreErrors.UsernameTakenCode => Message(StatusCodes.Status409Conflict, "Username already used"),
        CoreErrors.EmailTakenCode or CoreErrors.AccountDeletedCode => Message(StatusCodes.Status409Conflict, "Email already used"),
        CoreErrors.ValidationFailedCode when error.Fields.Count > 0 =>
            Fields(error.Fields.Select(f => new KeyValuePair<string, string>(WireField(f.Key), RuleMessage(WireField(f.Key), f.Value.FirstOrDefault())))),
        _ => Message(StatusCodes.Status400BadRequest, error.Message),
    };

    /// <summary>A refused reset request: the contract keeps the original's 404 for an unknown email, which its clients rely on.</summary>
    public static Results<WireJson<KeymetricsMessage, Status200>, WireError<KeymetricsMessage>, WireError<KeymetricsFieldErrors>> ResetRequest(CoreError error) =>
        error.Code == CoreErrors.ValidationFailedCode
            ? Field("email", RuleMessage("email", "too_long"))
            : Message(StatusCodes.Status404NotFound, "No account with this email");

    /// <summary>Core field names to this API's (the job title is the sign-up's <c>role</c>).</summary>
    private static string WireField(string coreField) => coreField switch
    {
        "jobTitle" => "role",
        _ => coreField,
    };

    public static string RuleMessage(string field, string? rule) => rule switch
    {
        "required" => $"{field} is required",
        "too_short" => $"{field} is too short",
        "too_long" => $"{field} is too long",
        "too_common" => $"{field} is too common, choose another one",
        "not_string" => $"{field} must be a string",
        _ => $"{field} is invalid",
    };

    /// <summary>Words for failures the framework produced (<see cref="KeymetricsDialect.WriteErrorAsync"/>).</summary>
    public static string Describe(int status) => status switch
    {
        400 => "Malformed request",
        401 => "Authentication required",
        404 => "Not found",
        405 => "Method not allowed",
        413 => "Request body too large",
        415 => "Unsupported content type, send JSON",
        429 => "Too many requests, try again later",
        >= 500 => "Internal error",
        _ => "Request failed",
    };
}
