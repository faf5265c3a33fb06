using System.Globalization;
using System.Text.Json;
using Gatehouse.Core.Accounts;
using Gatehouse.Core.Pictures;
using Gatehouse.Core.Sessions;
using Gatehouse.Server.Api;
using Gatehouse.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Server.Dialects.Fittrackee;

/// <summary>
/// FitTrackee 0.2.x's authentication API (CONTRACTS.md "004") at <c>/api/auth</c>. The
/// <c>auth_token</c> is a Gatehouse access token of a session started here, so logging out
/// ends it (the original left it valid).
/// </summary>
internal sealed class FittrackeeDialect : IDialect
{
    public const string Surface = "fittrackee";

    /// <summary>FitTrackee's limits, applied by the core.</summary>
    private static readonly RegistrationRules UsernameRules = new() { UsernameRequired = true, UsernameMinimumLength = 3, UsernameMaximumLength = 12 };

    private static readonly PictureRules Pictures = new() { MaximumBytes = 1024 * 1024, AllowedExtensions = ["jpg", "jpeg", "png", "gif"] };

    /// <summary>Room for the multipart framing and small form fields around the file.</summary>
    private const long MultipartAllowance = 64 * 1024;

    public string Name => Surface;

    public string DefaultBasePath => "/api/auth";

    public void Map(RouteGroupBuilder group)
    {
        group.MapPost("/register", RegisterAsync).WithName("FittrackeeRegister").WithSummary("Registers a user and returns an auth token.").RequireRateLimiting(RateLimiting.Registration);
        group.MapPost("/login", LoginAsync).WithName("FittrackeeLogin").WithSummary("Logs in with email and password.").RequireRateLimiting(RateLimiting.SignIn);

        var authenticated = group.MapGroup("").AddEndpointFilter(RequireTokenAsync);
        authenticated.MapGet("/logout", LogoutAsync).WithName("FittrackeeLogout").WithSummary("Ends the session; the token stops working.");
        authenticated.MapGet("/profile", ProfileAsync).WithName("FittrackeeProfile").WithSummary("The authenticated user.");
        authenticated.MapPost("/profile/edit", EditProfileAsync).WithName("FittrackeeEditProfile").WithSummary("Replaces the profile fields; optionally the password.");
        authenticated.MapPost("/picture", UploadPictureAsync).WithName("FittrackeeUploadPicture").WithSummary("Sets the picture (multipart field 'file'; PNG, JPEG or GIF up to 1 MB).");
        authenticated.MapDelete("/picture", DeletePictureAsync).WithName("FittrackeeDeletePicture").WithSummary("Removes the picture.");
    }

    public async Task WriteErrorAsync(HttpContext context, int status)
    {
        if (context.Response.HasStarted)
        {
            return;
        }
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, FittrackeeResults.ForStatus(status, context.Request.Path), FittrackeeJsonContext.Default.MessageBody, context.RequestAborted);
    }

    private static async ValueTask<object?> RequireTokenAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await context.HttpContext.AuthenticateBearerAsync();
        if (result.Status != BearerStatus.Valid)
        {
            return FittrackeeResults.Unauthorized(result.Status);
        }
        // A token still waiting for its second factor (another surface's) is not a login here.
        return result.Claims!.SecondFactorPending ? FittrackeeResults.Unauthorized(BearerStatus.Invalid) : await next(context);
    }

    private static async Task<Results<JsonHttpResult<TokenBody>, JsonHttpResult<MessageBody>>> RegisterAsync(HttpContext http, AccountService accounts, CancellationToken ct)
    {
        // The original refuses a disabled registration before looking at the body.
        if (!accounts.SelfServiceRegistrationEnabled)
        {
            return FittrackeeResults.Registration(Core.Common.CoreErrors.RegistrationDisabled);
        }
        var (outcome, body) = await BoundedBody.ReadJsonAsync(http.Request, FittrackeeJsonContext.Default.RegisterBody);
        if (body is null)
        {
            return FittrackeeResults.Unread(outcome);
        }
        if (body.Username is null || body.Email is null || body.Password is null || body.PasswordConf is null)
        {
            return FittrackeeResults.BadPayload();
        }
        var result = await accounts.RegisterAsync(
            new RegistrationRequest { Username = body.Username, Email = body.Email, Password = body.Password, PasswordConfirmation = body.PasswordConf },
            new RegistrationMode { StartSession = true, Rules = UsernameRules },
            http.ToRequestContext(Surface),
            ct);
        if (!result.Succeeded)
        {
            return FittrackeeResults.Registration(result.Error!);
        }
        return TypedResults.Json(new TokenBody(result.Value.Tokens!.AccessToken, "Successfully registered.", FittrackeeResults.Success),
            FittrackeeJsonContext.Default.TokenBody, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<Results<JsonHttpResult<TokenBody>, JsonHttpResult<MessageBody>>> LoginAsync(HttpContext http, SignInService signIn, CancellationToken ct)
    {
        var (outcome, body) = await BoundedBody.ReadJsonAsync(http.Request, FittrackeeJsonContext.Default.LoginBody);
        if (body is null)
        {
            return FittrackeeResults.Unread(outcome);
        }
        if (body.Email is null || body.Password is null)
        {
            return FittrackeeResults.BadPayload();
        }
        var result = await signIn.SignInAsync(body.Email, body.Password, http.ToRequestContext(Surface), cancellationToken: ct);
        return result.Succeeded
            ? TypedResults.Json(new TokenBody(result.Value.Tokens.AccessToken, "Successfully logged in.", FittrackeeResults.Success), FittrackeeJsonContext.Default.TokenBody)
            : FittrackeeResults.Login(result.Error!);
    }

    private static async Task<JsonHttpResult<MessageBody>> LogoutAsync(Caller caller, SessionService sessions, HttpContext http, CancellationToken ct)
    {
        await sessions.EndAsync(caller.SessionId, SessionEndReasons.SignOut, http.ToRequestContext(Surface), caller.UserId, cancellationToken: ct);
        return FittrackeeResults.Message(StatusCodes.Status200OK, FittrackeeResults.Success, "Successfully logged out.");
    }

    private static async Task<Results<JsonHttpResult<ProfileBody>, JsonHttpResult<MessageBody>>> ProfileAsync(Caller caller, AccountService accounts, CancellationToken ct)
    {
        var user = await accounts.GetAsync(caller.UserId, ct);
        return user.Succeeded
            ? TypedResults.Json(new ProfileBody(ProfileData.From(user.Value), FittrackeeResults.Success), FittrackeeJsonContext.Default.ProfileBody)
            : FittrackeeResults.Unauthorized(BearerStatus.Invalid);
    }

    private static async Task<Results<JsonHttpResult<ProfileMessageBody>, JsonHttpResult<MessageBody>>> EditProfileAsync(Caller caller, HttpContext http, AccountService accounts, CancellationToken ct)
    {
        var (outcome, body) = await BoundedBody.ReadJsonAsync(http.Request, FittrackeeJsonContext.Default.EditProfileBody);
        if (body is null || body.IsEmpty)
        {
            return FittrackeeResults.Unread(outcome);
        }
        DateOnly? birthDate = null;
        if (!string.IsNullOrEmpty(body.BirthDate))
        {
            // %Y-%m-%d as Python's strptime reads it (month and day may have one digit).
            if (!DateOnly.TryParseExact(body.BirthDate, ["yyyy-MM-dd", "yyyy-M-d"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            {
                return FittrackeeResults.BadPayload();
            }
            birthDate = parsed;
        }
        // The form is the whole profile: a field left out is cleared, as in the original.
        var update = new ProfileUpdate
        {
            FirstName = body.FirstName ?? "",
            LastName = body.LastName ?? "",
            Bio = body.Bio ?? "",
            Location = body.Location ?? "",
            Timezone = body.Timezone ?? "",
            BirthDate = birthDate,
            BirthDateSet = true,
        };
        var result = await accounts.UpdateProfileAndPasswordAsync(caller.UserId, update, body.Password, body.PasswordConf, caller.SessionId, http.ToRequestContext(Surface), ct);
        return result.Succeeded
            ? TypedResults.Json(new ProfileMessageBody(ProfileData.From(result.Value), "User profile updated.", FittrackeeResults.Success), FittrackeeJsonContext.Default.ProfileMessageBody)
            : FittrackeeResults.ProfileEdit(result.Error!);
    }

    /// <summary>
    /// Streams the multipart body: the Content-Length is checked first, every byte read is
    /// counted, and the core reads at most the limit + 1 bytes of the file, so a body far
    /// larger than 1 MB is refused without being read.
    /// </summary>
    private static async Task<Results<JsonHttpResult<ProfileMessageBody>, JsonHttpResult<MessageBody>>> UploadPictureAsync(Caller caller, HttpContext http, PictureService pictures, CancellationToken ct)
    {
        var request = http.Request;
        var limit = Pictures.MaximumBytes + MultipartAllowance;
        if (request.ContentLength > limit)
        {
            return FittrackeeResults.PictureTooLargeResult();
        }
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary) is not { Length: > 0 and <= 70 } boundary)
        {
            return FittrackeeResults.Message(StatusCodes.Status400BadRequest, FittrackeeResults.Fail, FittrackeeResults.NoFilePart);
        }
        var reader = new MultipartReader(boundary.ToString(), new LimitedReadStream(request.Body, limit));
        try
        {
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                // Like Flask's request.files: only a part named "file" with a filename parameter.
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase)
                    || !(disposition.FileName.HasValue || disposition.FileNameStar.HasValue)
                    || !HeaderUtilities.RemoveQuotes(disposition.Name).Equals("file", StringComparison.Ordinal))
                {
                    continue;
                }
                var fileName = disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value : HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
                var result = await pictures.SetAsync(caller.UserId, fileName, section.Body, Pictures, http.ToRequestContext(Surface), ct);
                return result.Succeeded
                    ? TypedResults.Json(new ProfileMessageBody(ProfileData.From(result.Value), "User picture updated.", FittrackeeResults.Success), FittrackeeJsonContext.Default.ProfileMessageBody)
                    : FittrackeeResults.Picture(result.Error!);
            }
        }
        catch (PayloadTooLargeException)
        {
            return FittrackeeResults.PictureTooLargeResult();
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            // A malformed multipart body has no readable file part.
        }
        return FittrackeeResults.Message(StatusCodes.Status400BadRequest, FittrackeeResults.Fail, FittrackeeResults.NoFilePart);
    }

    private static async Task<Results<NoContent, JsonHttpResult<MessageBody>>> DeletePictureAsync(Caller caller, HttpContext http, PictureService pictures, CancellationToken ct)
    {
        var result = await pictures.DeleteAsync(caller.UserId, http.ToRequestContext(Surface), ct);
        return result.Succeeded ? TypedResults.NoContent() : FittrackeeResults.Unauthorized(BearerStatus.Invalid);
    }
}
