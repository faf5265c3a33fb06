using Gatehouse.Core.Common;
using Gatehouse.Core.Pictures;
using Gatehouse.Core.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Server.Dialects.Fittrackee;

/// <summary>The dialect's one mapper: core results and rule codes to FitTrackee's bodies and messages.</summary>
internal static class FittrackeeMapper
{
    public const string Success = "success";
    public const string Error = "error";
    public const string Fail = "fail";

    public const string InvalidPayload = "Invalid payload.";
    public const string ServerError = "Error. Please try again or contact the administrator.";
    public const string PasswordMismatch = "Password and password confirmation don't match.";
    public const string PictureTooLarge = "Error during picture update: file size exceeds 1.0MB.";
    public const string NoFilePart = "No file part.";

    public static WireError<FittrackeeMessage> Message(int status, string state, string message) =>
        new(status, new FittrackeeMessage(state, message), FittrackeeJsonContext.Default.FittrackeeMessage);

    public static WireJson<T, TStatus> Ok<T, TStatus>(T body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where TStatus : IHttpStatus => new(body, type);

    public static WireJson<FittrackeeToken, Status201> Registered(string token) => new(new FittrackeeToken(token, "Successfully registered.", Success), FittrackeeJsonContext.Default.FittrackeeToken);

    public static WireJson<FittrackeeToken, Status200> LoggedIn(string token) => new(new FittrackeeToken(token, "Successfully logged in.", Success), FittrackeeJsonContext.Default.FittrackeeToken);

    public static WireJson<FittrackeeMessage, Status200> LoggedOut() => new(new FittrackeeMessage(Success, "Successfully logged out."), FittrackeeJsonContext.Default.FittrackeeMessage);

    public static WireJson<FittrackeeProfile, Status200> Profile(Core.Accounts.User user) =>
        new(new FittrackeeProfile(FittrackeeProfileData.From(user), Success), FittrackeeJsonContext.Default.FittrackeeProfile);

    public static WireJson<FittrackeeProfileMessage, Status200> ProfileUpdated(Core.Accounts.User user, string message) =>
        new(new FittrackeeProfileMessage(FittrackeeProfileData.From(user), message, Success), FittrackeeJsonContext.Default.FittrackeeProfileMessage);

    public static WireError<FittrackeeMessage> BadPayload() => Message(StatusCodes.Status400BadRequest, Error, InvalidPayload);

    public static WireError<FittrackeeMessage> TooLarge() => Message(StatusCodes.Status413PayloadTooLarge, Error, "Error. Request body too large.");

    /// <summary>An unreadable body: the original's <c>request.get_json()</c> failing (another content type, malformed JSON, a wrong JSON type, null) is "invalid".</summary>
    public static WireError<FittrackeeMessage> Unread(BodyOutcome outcome) =>
        outcome == BodyOutcome.TooLarge ? TooLarge() : BadPayload();

    /// <summary>The original's <c>authenticate</c> decorator: always 401 with status "error".</summary>
    public static WireError<FittrackeeMessage> Unauthorized(BearerStatus status) => Message(StatusCodes.Status401Unauthorized, Error, status switch
    {
        BearerStatus.Missing => "Provide a valid auth token.",
        BearerStatus.Expired => "Signature expired. Please log in again.",
        // Revoked (after logout) reads as invalid, as a token the original never issued would.
        _ => "Invalid token. Please log in again.",
    });

    /// <summary>
    /// Registration failures. Field errors become one "Errors: " message listing each failed
    /// rule on its own line, in the original's order: username, email, confirmation, password.
    /// </summary>
    public static WireError<FittrackeeMessage> Registration(CoreError error, Core.Accounts.RegistrationRules usernames)
    {
        switch (error.Code)
        {
            case CoreErrors.RegistrationDisabledCode:
                return Message(StatusCodes.Status403Forbidden, Error, "Error. Registration is disabled.");
            case CoreErrors.EmailTakenCode or CoreErrors.UsernameTakenCode or CoreErrors.AccountDeletedCode:
                return Message(StatusCodes.Status400BadRequest, Error, "Sorry. That user already exists.");
            case CoreErrors.ValidationFailedCode:
                var message = "Errors: ";
                if (error.Fields.ContainsKey("username"))
                {
                    message += $"Username: {usernames.UsernameMinimumLength} to {usernames.UsernameMaximumLength} characters required.\n";
                }
                if (error.Fields.ContainsKey("email"))
                {
                    message += "Valid email must be provided.\n";
                }
                if (error.Fields.ContainsKey("passwordConfirmation"))
                {
                    message += PasswordMismatch + "\n";
                }
                if (error.Fields.TryGetValue("password", out var rules))
                {
                    message += PasswordRule(rules) + "\n";
                }
                return Message(StatusCodes.Status400BadRequest, Error, message);
            default:
                return Message(StatusCodes.Status500InternalServerError, Error, ServerError);
        }
    }

    public static WireError<FittrackeeMessage> Login(CoreError error) => error.Code switch
    {
        CoreErrors.InvalidCredentialsCode => Message(StatusCodes.Status404NotFound, Error, "Invalid credentials."),
        // Only someone with the right password learns this (the core checks the password first).
        CoreErrors.AccountDisabledCode => Message(StatusCodes.Status403Forbidden, Error, "Error. Account is disabled."),
        _ => Message(StatusCodes.Status500InternalServerError, Error, ServerError),
    };

    public static WireError<FittrackeeMessage> ProfileEdit(CoreError error) => error.Code switch
    {
        CoreErrors.NotFoundCode => Unauthorized(BearerStatus.Invalid),
        CoreErrors.ValidationFailedCode when error.Fields.ContainsKey("passwordConfirmation") => Message(StatusCodes.Status400BadRequest, Error, PasswordMismatch),
        CoreErrors.ValidationFailedCode when error.Fields.TryGetValue("password", out var rules) => Message(StatusCodes.Status400BadRequest, Error, PasswordRule(rules)),
        CoreErrors.ValidationFailedCode => BadPayload(),
        _ => Message(StatusCodes.Status500InternalServerError, Error, ServerError),
    };

    public static WireError<FittrackeeMessage> Picture(CoreError error) => error.Code switch
    {
        PictureErrors.NoFileNameCode => Message(StatusCodes.Status400BadRequest, Fail, "No selected file."),
        // Secure: content that is not really an image reads as a wrong extension, as in the original.
        PictureErrors.ExtensionNotAllowedCode or PictureErrors.NotAnImageCode => Message(StatusCodes.Status400BadRequest, Fail, "File extension not allowed."),
        PictureErrors.TooLargeCode => PictureTooLargeResult(),
        CoreErrors.NotFoundCode => Unauthorized(BearerStatus.Invalid),
        _ => Message(StatusCodes.Status500InternalServerError, Error, "Error during picture update."),
    };

    public static WireError<FittrackeeMessage> PictureTooLargeResult() => Message(StatusCodes.Status413PayloadTooLarge, Fail, PictureTooLarge);

    /// <summary>The original knew one password rule; Gatehouse's other ones get lines in its style.</summary>
    private static string PasswordRule(string[] rules) => rules.FirstOrDefault() switch
    {
        "too_long" => "Password: too long.",
        "too_common" => "Password: this password is too common.",
        _ => "Password: 8 characters required.",
    };

    /// <summary>Bodies for failures the framework produced (DialectHosting): always JSON, never HTML.</summary>
    public static FittrackeeMessage ForStatus(int status, PathString path) => status switch
    {
        400 or 415 => new(Error, InvalidPayload),
        401 => new(Error, "Provide a valid auth token."),
        404 => new(Error, "Page not found."),
        405 => new(Error, "Method not allowed."),
        413 when path.Value?.EndsWith("/picture", StringComparison.OrdinalIgnoreCase) == true => new(Fail, PictureTooLarge),
        413 => new(Error, "Error. Request body too large."),
        429 => new(Error, "Error. Too many requests, please try again later."),
        _ when status < 500 => new(Error, InvalidPayload),
        _ => new(Error, ServerError),
    };
}
