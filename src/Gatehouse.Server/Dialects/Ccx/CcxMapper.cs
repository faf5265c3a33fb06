using Gatehouse.Core.Accounts;
using Gatehouse.Core.Common;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Server.Dialects.Ccx;

/// <summary>
/// The dialect's one mapper: core users to <see cref="CcxUser"/>, core errors and framework
/// failures to <see cref="CcxError"/>. The contract gives each route a single failure status,
/// so the route chooses the status and the mapper the words.
/// </summary>
internal static class CcxMapper
{
    public static CcxUser User(User user) => new(
        user.Id,
        user.Email ?? user.Username ?? "",
        user.FirstName ?? "",
        user.LastName ?? "",
        // 0 pending, 1 active, 2 disabled, 3 deleted (Gatehouse's UserStatus).
        (int)user.Status);

    public static JsonHttpResult<CcxUser> Ok(User user) => TypedResults.Json(User(user), CcxJsonContext.Default.CcxUser);

    public static CcxError ErrorBody(int status, string message) => new(status, message);

    public static JsonHttpResult<CcxError> Error(int status, string message) =>
        TypedResults.Json(ErrorBody(status, message), CcxJsonContext.Default.CcxError, statusCode: status);

    public static JsonHttpResult<CcxError> Error(int status, CoreError error) => Error(status, Message(error));

    public static string Message(CoreError error) => error.Code switch
    {
        CoreErrors.ValidationFailedCode => error.Fields.Keys.FirstOrDefault() switch
        {
            "email" or "login" => "The login must be a valid email address.",
            "password" => "The password is not acceptable: it must be long enough and not a common password.",
            "firstName" or "lastName" => "The name is too long.",
            _ => "One of the fields is malformed.",
        },
        CoreErrors.EmailTakenCode or CoreErrors.UsernameTakenCode or CoreErrors.AccountDeletedCode => "The login is already taken.",
        _ => error.Message,
    };

    public static string StatusMessage(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "The request JSON could not be parsed or one of the fields is malformed.",
        StatusCodes.Status401Unauthorized => "The user is not authorized.",
        StatusCodes.Status403Forbidden => "Forbidden.",
        StatusCodes.Status404NotFound => "The requested path is not found on the server.",
        StatusCodes.Status405MethodNotAllowed => "The requested path is found but the method is not allowed.",
        StatusCodes.Status408RequestTimeout => "The request has timed out.",
        StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
        StatusCodes.Status415UnsupportedMediaType => "The request body must be JSON (Content-Type: application/json).",
        StatusCodes.Status429TooManyRequests => "Too many requests; try again later.",
        _ => "Something went wrong on the server.",
    };
}
