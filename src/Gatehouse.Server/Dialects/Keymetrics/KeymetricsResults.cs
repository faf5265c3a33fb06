using Gatehouse.Core.Common;
using Gatehouse.Core.Sessions;

namespace Gatehouse.Server.Dialects.Keymetrics;

/// <summary>
/// The dialect's one mapper from core results and failures to its bodies: <c>{"msg"}</c>,
/// <c>{"&lt;field&gt;": {"message"}}</c>, and OAuth's <c>{error, error_description}</c> on /token.
/// </summary>
internal static class KeymetricsResults
{
    public static IResult Message(int status, string message) =>
        TypedResults.Json(new KeymetricsMessage(message), KeymetricsJsonContext.Default.KeymetricsMessage, statusCode: status);

    public static IResult Ok(string message) => Message(StatusCodes.Status200OK, message);

    public static IResult Fields(IReadOnlyDictionary<string, string> problems) =>
        TypedResults.Json(
            problems.ToDictionary(p => p.Key, p => new KeymetricsFieldError(p.Value), StringComparer.Ordinal),
            KeymetricsJsonContext.Default.DictionaryStringKeymetricsFieldError,
            statusCode: StatusCodes.Status400BadRequest);

    public static IResult Field(string field, string message) => Fields(new Dictionary<string, string> { [field] = message });

    /// <summary>RFC 6749 section 5.2; the contract answers every /token failure with 400.</summary>
    public static IResult OAuth(HttpContext http, string error, string description)
    {
        NoStore(http);
        return TypedResults.Json(new KeymetricsOAuthError(error, description), KeymetricsJsonContext.Default.KeymetricsOAuthError, statusCode: StatusCodes.Status400BadRequest);
    }

    /// <summary>RFC 6749 section 5.1: token responses must not be cached.</summary>
    public static void NoStore(HttpContext http)
    {
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.Pragma = "no-cache";
    }

    /// <summary>401 for a bearer route, saying why in WWW-Authenticate (RFC 6750 section 3).</summary>
    public static IResult Unauthorized(HttpContext http, BearerStatus status)
    {
        http.Response.Headers.WWWAuthenticate = status == BearerStatus.Missing ? "Bearer" : "Bearer error=\"invalid_token\"";
        return Message(StatusCodes.Status401Unauthorized, status switch
        {
            BearerStatus.Missing => "Authentication required",
            BearerStatus.Expired => "Access token expired",
            BearerStatus.Revoked => "Access token revoked",
            _ => "Invalid access token",
        });
    }

    /// <summary>A failed registration.</summary>
    public static IResult Registration(CoreError error) => error.Code switch
    {
        // The document: "500 either the registration of new user is disabled or ...".
        CoreErrors.RegistrationDisabledCode => Message(StatusCodes.Status500InternalServerError, "Registration is disabled"),
        CoreErrors.UsernameTakenCode => Message(StatusCodes.Status409Conflict, "Username already used"),
        CoreErrors.EmailTakenCode or CoreErrors.AccountDeletedCode => Message(StatusCodes.Status409Conflict, "Email already used"),
        CoreErrors.ValidationFailedCode when error.Fields.Count > 0 => Fields(error.Fields.ToDictionary(
            f => WireField(f.Key), f => RuleMessage(WireField(f.Key), f.Value.FirstOrDefault()), StringComparer.Ordinal)),
        _ => Message(StatusCodes.Status400BadRequest, error.Message),
    };

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
}
