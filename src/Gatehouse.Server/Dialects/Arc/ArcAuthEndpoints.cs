using Gatehouse.Core.Accounts;
using Gatehouse.Core.Clients;
using Gatehouse.Core.Common;
using Gatehouse.Core.Sessions;
using Gatehouse.Server.Api;
using Gatehouse.Server.Hosting;

namespace Gatehouse.Server.Dialects.Arc;

/// <summary>ARC's sign-in, token, password and sign-up routes (CONTRACTS.md 001).</summary>
internal static class ArcAuthEndpoints
{
    private const int Unauthorized = StatusCodes.Status401Unauthorized;

    private static readonly ArcSchema LoginSchema = new(
        new ArcProperty("client_id", ArcType.String, Required: true),
        new ArcProperty("client_secret", ArcType.String, Required: true),
        new ArcProperty("username", ArcType.String, Required: true),
        new ArcProperty("password", ArcType.String, Required: true));

    private static readonly ArcSchema TokenSchema = new(
        new ArcProperty("code", ArcType.String, Required: true),
        new ArcProperty("clientId", ArcType.String, Required: true));

    private static readonly ArcSchema RefreshSchema = new(new ArcProperty("refreshToken", ArcType.String, Required: true));

    // RefreshTokenRequestPartial: a missing refresh token is the route's own 422 "TokenMissing".
    private static readonly ArcSchema LogoutSchema = new(new ArcProperty("refreshToken", ArcType.String));

    private static readonly ArcSchema ChangePasswordSchema = new(
        new ArcProperty("refreshToken", ArcType.String),
        new ArcProperty("username", ArcType.String, Required: true),
        new ArcProperty("password", ArcType.String, Required: true),
        new ArcProperty("oldPassword", ArcType.String));

    private static readonly ArcSchema ForgetPasswordSchema = new(
        new ArcProperty("username", ArcType.String, Required: true),
        new ArcProperty("client_id", ArcType.String, Required: true),
        new ArcProperty("client_secret", ArcType.String, Required: true));

    private static readonly ArcSchema ResetPasswordSchema = new(
        new ArcProperty("token", ArcType.String, Required: true),
        new ArcProperty("password", ArcType.String, Required: true),
        new ArcProperty("client_id", ArcType.String, Required: true),
        new ArcProperty("client_secret", ArcType.String, Required: true));

    private static readonly ArcSchema SignUpRequestSchema = new(
        new ArcProperty("email", ArcType.String, Required: true),
        new ArcProperty("data", ArcType.Object));

    // LocalUserProfileDto plus the profile fields a client may send along.
    private static readonly ArcSchema SignUpUserSchema = new(
        new ArcProperty("email", ArcType.String, Required: true),
        new ArcProperty("password", ArcType.String, Required: true),
        new ArcProperty("username", ArcType.String, Nullable: true),
        new ArcProperty("firstName", ArcType.String, Nullable: true),
        new ArcProperty("middleName", ArcType.String, Nullable: true),
        new ArcProperty("lastName", ArcType.String, Nullable: true),
        new ArcProperty("phone", ArcType.String, Nullable: true))
    {
        AllowAdditional = true,
    };

    public static void Map(RouteGroupBuilder group)
    {
        group.MapPost("/auth/login", LoginAsync).WithName("ArcLogin").WithSummary("Checks client and credentials; returns a single-use authorization code.").RequireRateLimiting(RateLimiting.SignIn);
        group.MapPost("/auth/token", TokenAsync).WithName("ArcToken").WithSummary("Exchanges an authorization code for tokens, once.");
        group.MapPost("/auth/login-token", LoginTokenAsync).WithName("ArcLoginToken").WithSummary("Checks client and credentials; returns tokens.").RequireRateLimiting(RateLimiting.SignIn);
        group.MapPost("/auth/token-refresh", RefreshAsync).WithName("ArcTokenRefresh").WithSummary("New tokens for a refresh token and the access token issued with it.");
        // CONTRACTS.md: dialect "intercode" declares GET /auth/me too, on purpose.
        group.MapGet("/auth/me", MeAsync).WithName("ArcMe").WithMetadata(new SharedRouteMetadata());
        group.MapPost("/logout", LogoutAsync).WithName("ArcLogout");
        group.MapPost("/keycloak/logout", LogoutAsync).WithName("ArcKeycloakLogout");
        group.MapPatch("/auth/change-password", ChangePasswordAsync).WithName("ArcChangePassword");
        group.MapPost("/auth/forget-password", ForgetPasswordAsync).WithName("ArcForgetPassword").RequireRateLimiting(RateLimiting.Email);
        group.MapGet("/auth/verify-reset-password-link", VerifyResetLinkAsync).WithName("ArcVerifyResetPasswordLink");
        group.MapPatch("/auth/reset-password", ResetPasswordAsync).WithName("ArcResetPassword");
        group.MapPost("/auth/sign-up/create-token", SignUpCreateTokenAsync).WithName("ArcSignUpCreateToken").RequireRateLimiting(RateLimiting.Email);
        group.MapGet("/auth/sign-up/verify-token", SignUpVerifyTokenAsync).WithName("ArcSignUpVerifyToken");
        group.MapPost("/auth/sign-up/create-user", SignUpCreateUserAsync).WithName("ArcSignUpCreateUser").RequireRateLimiting(RateLimiting.Registration);
    }

    /// <summary>The refusals of the client and user checks, with object messages (CONTRACTS.md 001).</summary>
    private static IResult SignInError(CoreError error) => error.Code switch
    {
        CoreErrors.InvalidClientCode => ArcResults.ObjectError(Unauthorized, "Client Invalid"),
        CoreErrors.AccountDisabledCode => ArcResults.ObjectError(Unauthorized, "UserInactive"),
        _ => ArcResults.ObjectError(Unauthorized, "Invalid Credentials"),
    };

    private static async Task<(Core.Accounts.User? User, Client? Client, IResult? Error)> VerifyLoginAsync(HttpContext http, ClientSignInService service)
    {
        var (body, invalid) = await ArcBody.ReadAsync(http, LoginSchema);
        if (invalid is not null)
        {
            return (null, null, invalid);
        }
        var client = await service.AuthenticateClientAsync(body!.String("client_id"), body.String("client_secret"), http.RequestAborted);
        if (!client.Succeeded)
        {
            return (null, null, SignInError(client.Error!));
        }
        var user = await service.VerifyUserAsync(client.Value, body.String("username"), body.String("password"), ArcAuth.Context(http), http.RequestAborted);
        return user.Succeeded ? (user.Value, client.Value, null) : (null, null, SignInError(user.Error!));
    }

    private static async Task<IResult> LoginAsync(HttpContext http, ClientSignInService service)
    {
        var (user, client, error) = await VerifyLoginAsync(http, service);
        if (error is not null)
        {
            return error;
        }
        var code = await service.IssueCodeAsync(user!, client!, http.RequestAborted);
        return ArcResults.Json(new ArcCodeResponse(code), ArcJsonContext.Default.ArcCodeResponse);
    }

    private static async Task<IResult> LoginTokenAsync(HttpContext http, ClientSignInService service)
    {
        var (user, client, error) = await VerifyLoginAsync(http, service);
        if (error is not null)
        {
            return error;
        }
        var tokens = await service.StartSessionAsync(user!, client!, ArcAuth.Context(http), http.RequestAborted);
        return ArcResults.Json(ArcTokenResponse.From(tokens), ArcJsonContext.Default.ArcTokenResponse);
    }

    private static async Task<IResult> TokenAsync(HttpContext http, ClientSignInService service)
    {
        var (body, invalid) = await ArcBody.ReadAsync(http, TokenSchema);
        if (invalid is not null)
        {
            return invalid;
        }
        var tokens = await service.ExchangeCodeAsync(body!.String("code"), body.String("clientId"), ArcAuth.Context(http), http.RequestAborted);
        if (tokens.Succeeded)
        {
            return ArcResults.Json(ArcTokenResponse.From(tokens.Value), ArcJsonContext.Default.ArcTokenResponse);
        }
        return tokens.Error!.Code switch
        {
            CoreErrors.InvalidClientCode => ArcResults.Error(Unauthorized, "Client Invalid"),
            CoreErrors.ExpiredTokenCode => ArcResults.Error(Unauthorized, "Code Expired"),
            CoreErrors.AccountDisabledCode => ArcResults.ObjectError(Unauthorized, "UserInactive"),
            _ => ArcResults.Error(Unauthorized, "Invalid Credentials"),
        };
    }

    private static async Task<IResult> RefreshAsync(HttpContext http, ClientSignInService service)
    {
        var (body, invalid) = await ArcBody.ReadAsync(http, RefreshSchema);
        if (invalid is not null)
        {
            return invalid;
        }
        var tokens = await service.RefreshBoundAsync(body!.String("refreshToken"), http.Request.BearerToken(), ArcAuth.Context(http), http.RequestAborted);
        if (tokens.Succeeded)
        {
            return ArcResults.Json(ArcTokenResponse.From(tokens.Value), ArcJsonContext.Default.ArcTokenResponse);
        }
        return ArcResults.Error(Unauthorized, tokens.Error!.Code == CoreErrors.InvalidTokenCode ? "Token Invalid" : "Token Expired");
    }

    /// <summary>
    /// ARC's <c>GET /auth/me</c>. Internal rather than private so that, when dialect "intercode"
    /// also declares the route, the one shared handler can answer in arc's shape for every token
    /// not issued by intercode (CONTRACTS.md, rules for every dialect).
    /// </summary>
    internal static async Task<IResult> MeAsync(HttpContext http, ClientSignInService service)
    {
        var (claims, error) = await ArcAuth.BearerAsync(http);
        if (error is not null)
        {
            return error;
        }
        var profile = await service.ProfileAsync(claims!.Subject, claims.Audience, http.RequestAborted);
        return profile.Succeeded
            ? ArcResults.Json(ArcUser.From(profile.Value), ArcJsonContext.Default.ArcUser)
            : ArcResults.ObjectError(Unauthorized, "TokenRevoked");
    }

    /// <summary>
    /// The common start of the routes that act on the caller's session with its refresh token in
    /// the body (logout, change-password): the body, then the bearer, then the refresh token.
    /// </summary>
    private static async Task<(ArcBody? Body, Core.Tokens.AccessTokenClaims? Claims, IResult? Refused)> ReadSessionRequestAsync(HttpContext http, ArcSchema schema, ClientSignInService service)
    {
        var (body, invalid) = await ArcBody.ReadAsync(http, schema);
        if (invalid is not null)
        {
            return (null, null, invalid);
        }
        var (claims, error) = await ArcAuth.BearerAsync(http);
        if (error is not null)
        {
            return (null, null, error);
        }
        return (body, claims, await CheckRefreshTokenAsync(body!, claims!, service, http.RequestAborted));
    }

    /// <summary>
    /// Checks the body's refresh token against the caller's session: missing 422 "TokenMissing";
    /// unknown or used 401 "Token Expired"; another session's 401 "Token Invalid".
    /// </summary>
    private static async Task<IResult?> CheckRefreshTokenAsync(ArcBody body, Core.Tokens.AccessTokenClaims claims, ClientSignInService service, CancellationToken ct)
    {
        if (body.String("refreshToken") is not { Length: > 0 } refreshToken)
        {
            return ArcResults.Error(StatusCodes.Status422UnprocessableEntity, "TokenMissing");
        }
        var checkedToken = await service.CheckRefreshTokenAsync(refreshToken, claims.SessionId, ct);
        return checkedToken.Succeeded ? null
            : ArcResults.Error(Unauthorized, checkedToken.Error!.Code == CoreErrors.InvalidTokenCode ? "Token Invalid" : "Token Expired");
    }

    private static async Task<IResult> LogoutAsync(HttpContext http, ClientSignInService service, SessionService sessions)
    {
        var (body, claims, refused) = await ReadSessionRequestAsync(http, LogoutSchema, service);
        if (refused is not null)
        {
            return refused;
        }
        // Ends the session: its refresh token and every access token of it stop working.
        // The keycloak variant's upstream sign-out belongs to the federated-login work.
        var ended = await sessions.EndAsync(claims!.SessionId, SessionEndReasons.SignOut, ArcAuth.Context(http), ownerId: claims.Subject, cancellationToken: http.RequestAborted);
        return ended.Succeeded
            ? ArcResults.Json(new ArcSuccess(true), ArcJsonContext.Default.ArcSuccess)
            : ArcResults.ObjectError(Unauthorized, "TokenRevoked");
    }

    private static async Task<IResult> ChangePasswordAsync(HttpContext http, ClientSignInService service, AccountService accounts)
    {
        var (body, claims, refused) = await ReadSessionRequestAsync(http, ChangePasswordSchema, service);
        if (refused is not null)
        {
            return refused;
        }
        var profile = await service.ProfileAsync(claims!.Subject, null, http.RequestAborted);
        var username = body!.String("username")?.Trim();
        if (!profile.Succeeded || username is null
            || !(string.Equals(username, profile.Value.User.Username, StringComparison.OrdinalIgnoreCase) || string.Equals(username, profile.Value.User.Email, StringComparison.OrdinalIgnoreCase)))
        {
            return ArcResults.Error(StatusCodes.Status403Forbidden, "NotAllowedAccess");
        }
        // ARC lets a caller holding the session's access and refresh tokens change the password
        // without the old one; a given old password is still checked. Every session then ends.
        var changed = await accounts.ChangePasswordAsync(claims.Subject, body.String("oldPassword"), body.String("password"), null, ArcAuth.Context(http), http.RequestAborted, requireCurrentPassword: false);
        if (changed.Succeeded)
        {
            return ArcResults.Json(new ArcSuccess(true), ArcJsonContext.Default.ArcSuccess);
        }
        return PasswordError(changed.Error!);
    }

    private static IResult PasswordError(CoreError error) => error.Code switch
    {
        CoreErrors.WrongPasswordCode => ArcResults.Error(Unauthorized, "Incorrect Password"),
        CoreErrors.SamePasswordCode => ArcResults.Error(Unauthorized, "Password cannot be same as previous password!"),
        CoreErrors.NoPasswordCode => ArcResults.Error(StatusCodes.Status400BadRequest, "Password change not allowed"),
        CoreErrors.UsedTokenCode => ArcResults.Error(Unauthorized, "TokenRevoked"),
        CoreErrors.InvalidTokenCode or CoreErrors.ExpiredTokenCode => ArcResults.Error(Unauthorized, "Token Expired"),
        CoreErrors.ValidationFailedCode => ArcAuth.Unprocessable(error),
        _ => ArcResults.Error(StatusCodes.Status400BadRequest, error.Message),
    };

    private static async Task<IResult> ForgetPasswordAsync(HttpContext http, ClientSignInService service, AccountService accounts)
    {
        var (body, invalid) = await ArcBody.ReadAsync(http, ForgetPasswordSchema);
        if (invalid is not null)
        {
            return invalid;
        }
        var client = await service.AuthenticateClientAsync(body!.String("client_id"), body.String("client_secret"), http.RequestAborted);
        if (!client.Succeeded)
        {
            return ArcResults.Error(Unauthorized, "Client Invalid");
        }
        var user = await service.FindResettableUserAsync(body.String("username"), http.RequestAborted);
        if (!user.Succeeded)
        {
            return user.Error!.Code == CoreErrors.ValidationFailedCode
                ? ArcResults.Error(StatusCodes.Status422UnprocessableEntity, "User email not found")
                : ArcResults.Error(Unauthorized, "Invalid Credentials");
        }
        var requested = await accounts.RequestPasswordResetAsync(body.String("username"), ArcAuth.Setting(http, "PasswordResetLink"), ArcAuth.Context(http), http.RequestAborted);
        if (!requested.Succeeded)
        {
            return requested.Error!.Code == CoreErrors.RateLimitedCode
                ? ArcResults.Error(StatusCodes.Status429TooManyRequests, "Too Many Requests")
                : ArcResults.Error(Unauthorized, "Invalid Credentials");
        }
        return Results.NoContent();
    }

    private static async Task<IResult> VerifyResetLinkAsync(HttpContext http, AccountService accounts)
    {
        if (http.Request.Query["token"].ToString() is not { Length: > 0 } token)
        {
            return ArcResults.MissingParameter("token");
        }
        var checkedToken = await accounts.CheckPasswordResetTokenAsync(token, http.RequestAborted);
        return checkedToken.Succeeded ? ArcResults.Json(new ArcSuccess(true), ArcJsonContext.Default.ArcSuccess) : PasswordError(checkedToken.Error!);
    }

    private static async Task<IResult> ResetPasswordAsync(HttpContext http, ClientSignInService service, AccountService accounts)
    {
        var (body, invalid) = await ArcBody.ReadAsync(http, ResetPasswordSchema);
        if (invalid is not null)
        {
            return invalid;
        }
        var client = await service.AuthenticateClientAsync(body!.String("client_id"), body.String("client_secret"), http.RequestAborted);
        if (!client.Succeeded)
        {
            return ArcResults.Error(Unauthorized, "Client Invalid");
        }
        var reset = await accounts.ResetPasswordAsync(body.String("token"), body.String("password"), ArcAuth.Context(http), http.RequestAborted);
        return reset.Succeeded ? Results.NoContent() : PasswordError(reset.Error!);
    }

    private static async Task<IResult> SignUpCreateTokenAsync(HttpContext http, SignUpLinkService signUps)
    {
        var (body, invalid) = await ArcBody.ReadAsync(http, SignUpRequestSchema);
        if (invalid is not null)
        {
            return invalid;
        }
        var data = body!.Root.TryGetProperty("data", out var d) && d.ValueKind == System.Text.Json.JsonValueKind.Object ? d.GetRawText() : null;
        var requested = await signUps.RequestAsync(body.String("email"), data, ArcAuth.Setting(http, "SignUpLink"), http.RequestAborted);
        if (requested.Succeeded)
        {
            return Results.NoContent();
        }
        return requested.Error!.Code == CoreErrors.RegistrationDisabledCode
            ? ArcResults.Error(StatusCodes.Status403Forbidden, "NotAllowedAccess")
            : ArcAuth.Unprocessable(requested.Error);
    }

    /// <summary>The sign-up token comes as the bearer, as in ARC.</summary>
    private static IResult SignUpTokenError(CoreError error) => error.Code == CoreErrors.UsedTokenCode
        ? ArcResults.ObjectError(Unauthorized, "TokenRevoked")
        : ArcResults.ObjectError(Unauthorized, "TokenExpired");

    private static async Task<IResult> SignUpVerifyTokenAsync(HttpContext http, SignUpLinkService signUps)
    {
        if (http.Request.BearerToken() is not { } token)
        {
            return ArcResults.Error(Unauthorized, "Bearer realm=\"Users\"");
        }
        var peeked = await signUps.PeekAsync(token, http.RequestAborted);
        if (!peeked.Succeeded)
        {
            return SignUpTokenError(peeked.Error!);
        }
        var claims = new ArcSignUpClaims(peeked.Value.Email, peeked.Value.CreatedAt.ToUnixTimeSeconds(), peeked.Value.ExpiresAt.ToUnixTimeSeconds());
        return ArcResults.Json(claims, ArcJsonContext.Default.ArcSignUpClaims);
    }

    private static async Task<IResult> SignUpCreateUserAsync(HttpContext http, SignUpLinkService signUps)
    {
        var (body, invalid) = await ArcBody.ReadAsync(http, SignUpUserSchema);
        if (invalid is not null)
        {
            return invalid;
        }
        if (http.Request.BearerToken() is not { } token)
        {
            return ArcResults.Error(Unauthorized, "Bearer realm=\"Users\"");
        }
        var request = new RegistrationRequest
        {
            Email = body!.String("email"),
            Password = body.String("password"),
            Username = body.String("username"),
            FirstName = body.String("firstName"),
            MiddleName = body.String("middleName"),
            LastName = body.String("lastName"),
            Phone = body.String("phone"),
        };
        var created = await signUps.CompleteAsync(token, request, ArcAuth.Context(http), http.RequestAborted);
        if (created.Succeeded)
        {
            var user = ArcUser.From(new ClientUserProfile(created.Value, [], null));
            return ArcResults.Json(new ArcSignUpResult(created.Value.Email, user), ArcJsonContext.Default.ArcSignUpResult);
        }
        return created.Error!.Code switch
        {
            CoreErrors.ForbiddenCode => ArcResults.Error(Unauthorized, "Invalid Credentials"),
            CoreErrors.UsedTokenCode or CoreErrors.InvalidTokenCode or CoreErrors.ExpiredTokenCode => SignUpTokenError(created.Error),
            CoreErrors.EmailTakenCode or CoreErrors.UsernameTakenCode or CoreErrors.AccountDeletedCode => ArcResults.Error(StatusCodes.Status409Conflict, "User already exists"),
            CoreErrors.RegistrationDisabledCode => ArcResults.Error(StatusCodes.Status403Forbidden, "NotAllowedAccess"),
            _ => ArcAuth.Unprocessable(created.Error),
        };
    }
}
