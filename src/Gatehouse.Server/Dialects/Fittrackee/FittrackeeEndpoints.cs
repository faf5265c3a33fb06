using System.Globalization;
using Gatehouse.Core.Accounts;
using Gatehouse.Core.Pictures;
using Gatehouse.Core.Sessions;
using Gatehouse.Core.Tokens;
using Gatehouse.Server.Api;
using Gatehouse.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Server.Dialects.Fittrackee;

/// <summary>The routes of CONTRACTS.md "004", relative to the dialect's base path.</summary>
internal static class FittrackeeEndpoints
{
    private const string Surface = FittrackeeDialect.Surface;

    /// <summary>A JSON body bigger than this is refused with 413; FitTrackee's bodies are a few hundred bytes.</summary>
    private static readonly BodyRules Body = new(64 * 1024);

    /// <summary>Room for the multipart framing and small form fields around the file.</summary>
    private const long MultipartAllowance = 64 * 1024;

    public static RouteGroupBuilder MapFittrackee(this RouteGroupBuilder group)
    {
        group.MapPost("/register", RegisterAsync).WithName("FittrackeeRegister").WithSummary("Registers a user and returns an auth token.").RequireRateLimiting(RateLimiting.Registration);
        group.MapPost("/login", LoginAsync).WithName("FittrackeeLogin").WithSummary("Logs in with email and password.").RequireRateLimiting(RateLimiting.SignIn);

        // This dialect's own tokens and Gatehouse's: another product's API's token is no login
        // here, nor is one still waiting for its second factor.
        var authenticated = group.MapGroup("").RequireBearer(AudiencePolicy.OwnTokensOf(Surface, andFirstParty: true), (_, status) => FittrackeeMapper.Unauthorized(status));
        authenticated.MapGet("/logout", LogoutAsync).WithName("FittrackeeLogout").WithSummary("Ends the session; the token stops working.");
        authenticated.MapGet("/profile", ProfileAsync).WithName("FittrackeeProfile").WithSummary("The authenticated user.");
        authenticated.MapPost("/profile/edit", EditProfileAsync).WithName("FittrackeeEditProfile").WithSummary("Replaces the profile fields; optionally the password.");
        authenticated.MapPost("/picture", UploadPictureAsync).WithName("FittrackeeUploadPicture").WithSummary("Sets the picture (multipart field 'file'; PNG, JPEG or GIF up to 1 MB).");
        authenticated.MapDelete("/picture", DeletePictureAsync).WithName("FittrackeeDeletePicture").WithSummary("Removes the picture.");
        return group;
    }

    private static async Task<Results<WireJson<FittrackeeToken, Status201>, WireError<FittrackeeMessage>>> RegisterAsync(HttpContext http, AccountService accounts, CancellationToken ct)
    {
        // The original refuses a disabled registration before looking at the body.
        if (!accounts.SelfServiceRegistrationEnabled)
        {
            return FittrackeeMapper.Registration(Core.Common.CoreErrors.RegistrationDisabled, FittrackeeDialect.UsernameRules);
        }
        var read = await DialectBody.ReadJsonAsync(http.Request, FittrackeeJsonContext.Default.FittrackeeRegisterRequest, Body, ct);
        if (read.Value is not { } body)
        {
            return FittrackeeMapper.Unread(read.Outcome);
        }
        if (body.Username is null || body.Email is null || body.Password is null || body.PasswordConf is null)
        {
            return FittrackeeMapper.BadPayload();
        }
        var result = await accounts.RegisterAsync(
            new RegistrationRequest { Username = body.Username, Email = body.Email, Password = body.Password, PasswordConfirmation = body.PasswordConf },
            new RegistrationMode { StartSession = true, Rules = FittrackeeDialect.UsernameRules },
            http.ToRequestContext(Surface),
            ct);
        if (!result.Succeeded)
        {
            return FittrackeeMapper.Registration(result.Error!, FittrackeeDialect.UsernameRules);
        }
        return FittrackeeMapper.Registered(result.Value.Tokens!.AccessToken);
    }

    private static async Task<Results<WireJson<FittrackeeToken, Status200>, WireError<FittrackeeMessage>>> LoginAsync(HttpContext http, SignInService signIn, CancellationToken ct)
    {
        var read = await DialectBody.ReadJsonAsync(http.Request, FittrackeeJsonContext.Default.FittrackeeLoginRequest, Body, ct);
        if (read.Value is not { } body)
        {
            return FittrackeeMapper.Unread(read.Outcome);
        }
        if (body.Email is null || body.Password is null)
        {
            return FittrackeeMapper.BadPayload();
        }
        var result = await signIn.SignInAsync(body.Email, body.Password, http.ToRequestContext(Surface), cancellationToken: ct);
        return result.Succeeded
            ? FittrackeeMapper.LoggedIn(result.Value.Tokens.AccessToken)
            : FittrackeeMapper.Login(result.Error!);
    }

    private static async Task<WireJson<FittrackeeMessage, Status200>> LogoutAsync(Caller caller, SessionService sessions, HttpContext http, CancellationToken ct)
    {
        await sessions.EndAsync(caller.SessionId, SessionEndReasons.SignOut, http.ToRequestContext(Surface), caller.UserId, cancellationToken: ct);
        return FittrackeeMapper.LoggedOut();
    }

    private static async Task<Results<WireJson<FittrackeeProfile, Status200>, WireError<FittrackeeMessage>>> ProfileAsync(Caller caller, AccountService accounts, CancellationToken ct)
    {
        var user = await accounts.GetAsync(caller.UserId, ct);
        return user.Succeeded
            ? FittrackeeMapper.Profile(user.Value)
            : FittrackeeMapper.Unauthorized(BearerStatus.Invalid);
    }

    private static async Task<Results<WireJson<FittrackeeProfileMessage, Status200>, WireError<FittrackeeMessage>>> EditProfileAsync(Caller caller, HttpContext http, AccountService accounts, CancellationToken ct)
    {
        var read = await DialectBody.ReadJsonAsync(http.Request, FittrackeeJsonContext.Default.FittrackeeProfileEditRequest, Body, ct);
        if (read.Value is not { IsEmpty: false } body)
        {
            return FittrackeeMapper.Unread(read.Outcome);
        }
        DateOnly? birthDate = null;
        if (!string.IsNullOrEmpty(body.BirthDate))
        {
            // %Y-%m-%d as Python's strptime reads it (month and day may have one digit).
            if (!DateOnly.TryParseExact(body.BirthDate, ["yyyy-MM-dd", "yyyy-M-d"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            {
                return FittrackeeMapper.BadPayload();
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
            ? FittrackeeMapper.ProfileUpdated(result.Value, "User profile updated.")
            : FittrackeeMapper.ProfileEdit(result.Error!);
    }

    /// <summary>
    /// Streams the multipart body: the Content-Length is checked first, every byte read is
    /// counted, and the core reads at most the limit + 1 bytes of the file, so a body far
    /// larger than 1 MB is refused without being read.
    /// </summary>
    private static async Task<Results<WireJson<FittrackeeProfileMessage, Status200>, WireError<FittrackeeMessage>>> UploadPictureAsync(Caller caller, HttpContext http, PictureService pictures, CancellationToken ct)
    {
        var request = http.Request;
        var limit = FittrackeeDialect.Pictures.MaximumBytes + MultipartAllowance;
        if (request.ContentLength > limit)
        {
            return FittrackeeMapper.PictureTooLargeResult();
        }
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary) is not { Length: > 0 and <= 70 } boundary)
        {
            return FittrackeeMapper.Message(StatusCodes.Status400BadRequest, FittrackeeMapper.Fail, FittrackeeMapper.NoFilePart);
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
                var result = await pictures.SetAsync(caller.UserId, fileName, section.Body, FittrackeeDialect.Pictures, http.ToRequestContext(Surface), ct);
                return result.Succeeded
                    ? FittrackeeMapper.ProfileUpdated(result.Value, "User picture updated.")
                    : FittrackeeMapper.Picture(result.Error!);
            }
        }
        catch (PayloadTooLargeException)
        {
            return FittrackeeMapper.PictureTooLargeResult();
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            // A malformed multipart body has no readable file part.
        }
        return FittrackeeMapper.Message(StatusCodes.Status400BadRequest, FittrackeeMapper.Fail, FittrackeeMapper.NoFilePart);
    }

    private static async Task<Results<NoContent, WireError<FittrackeeMessage>>> DeletePictureAsync(Caller caller, HttpContext http, PictureService pictures, CancellationToken ct)
    {
        var result = await pictures.DeleteAsync(caller.UserId, http.ToRequestContext(Surface), ct);
        return result.Succeeded ? TypedResults.NoContent() : FittrackeeMapper.Unauthorized(BearerStatus.Invalid);
    }
}
