using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Core.Accounts;
using Gatehouse.Core.Admin;
using Gatehouse.Core.Clients;
using Gatehouse.Core.Common;
using Gatehouse.Core.Sessions;
using Gatehouse.Core.Tokens;
using Gatehouse.Server.Api;
using Gatehouse.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Dialects.Arc;

/// <summary>
/// ARC's routes (CONTRACTS.md 001): sign-in, tokens, passwords and sign-up under <c>/auth</c>,
/// <c>/logout</c>, <c>/auth-clients</c> and <c>/otp-caches</c>. Each reads and checks its body
/// first (LoopBack validates before anything else), calls one core use case and maps the result.
/// </summary>
internal static class ArcEndpoints
{
    private static readonly BodyRules Body = new(64 * 1024) { UnlabelledIsJson = true, LooseJsonLabel = true, EmptyIsEmptyObject = true };

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

    private static ArcSchema ClientSchema(bool partial) => new(
        new ArcProperty("deleted", ArcType.Boolean),
        new ArcProperty("deletedOn", ArcType.String, Nullable: true),
        new ArcProperty("deletedBy", ArcType.String, Nullable: true),
        new ArcProperty("createdOn", ArcType.String),
        new ArcProperty("modifiedOn", ArcType.String),
        new ArcProperty("id", ArcType.Number),
        new ArcProperty("clientId", ArcType.String, Required: !partial),
        new ArcProperty("clientSecret", ArcType.String, Required: !partial),
        new ArcProperty("secret", ArcType.String, Required: !partial),
        new ArcProperty("redirectUrl", ArcType.String),
        new ArcProperty("accessTokenExpiration", ArcType.Number, Required: !partial),
        new ArcProperty("refreshTokenExpiration", ArcType.Number, Required: !partial),
        new ArcProperty("authCodeExpiration", ArcType.Number, Required: !partial));

    private static readonly ArcSchema FullClient = ClientSchema(partial: false);
    private static readonly ArcSchema PartialClient = ClientSchema(partial: true);

    private static readonly ArcSchema OtpSchema = new(
        new ArcProperty("otp", ArcType.String, Required: true),
        new ArcProperty("username", ArcType.String, Required: true));

    /// <summary>Only a hash of the OTP is kept, so it is shown masked.</summary>
    private const string MaskedOtp = "******";

    public static RouteGroupBuilder MapArc(this RouteGroupBuilder group, ArcSettings settings)
    {
        // Arc's own tokens (any client's, issued through arc) and Gatehouse's own; the shared
        // GET /auth/me takes every Gatehouse token (CONTRACTS.md).
        group.WithMetadata(settings, AudiencePolicy.OwnTokensOf(ArcDialect.SurfaceName, andFirstParty: true));
        group.MapPost("/auth/login", LoginAsync).WithName("ArcLogin").WithSummary("Checks client and credentials; returns a single-use authorization code.").RequireRateLimiting(RateLimiting.SignIn);
        group.MapPost("/auth/token", TokenAsync).WithName("ArcToken").WithSummary("Exchanges an authorization code for tokens, once.");
        group.MapPost("/auth/login-token", LoginTokenAsync).WithName("ArcLoginToken").WithSummary("Checks client and credentials; returns tokens.").RequireRateLimiting(RateLimiting.SignIn);
        group.MapPost("/auth/token-refresh", RefreshAsync).WithName("ArcTokenRefresh").WithSummary("New tokens for a refresh token and the access token issued with it.");
        // CONTRACTS.md: dialect "intercode" declares GET /auth/me too, on purpose.
        group.MapGet("/auth/me", MeAsync).WithName("ArcMe").WithSummary("The signed-in user.").WithMetadata(new SharedRouteMetadata(), AudiencePolicy.Any);
        group.MapPost("/logout", LogoutAsync).WithName("ArcLogout").WithSummary("Ends the session of the bearer and its refresh token.");
        group.MapPost("/keycloak/logout", LogoutAsync).WithName("ArcKeycloakLogout").WithSummary("Ends the session of the bearer and its refresh token.");
        group.MapPatch("/auth/change-password", ChangePasswordAsync).WithName("ArcChangePassword").WithSummary("Changes the caller's password; the session's tokens then stop working.").RequireRateLimiting(RateLimiting.SignIn);
        group.MapPost("/auth/forget-password", ForgetPasswordAsync).WithName("ArcForgetPassword").WithSummary("Emails a password reset link.").RequireRateLimiting(RateLimiting.Email);
        group.MapGet("/auth/verify-reset-password-link", VerifyResetLinkAsync).WithName("ArcVerifyResetPasswordLink").WithSummary("Checks a reset token without using it.");
        group.MapPatch("/auth/reset-password", ResetPasswordAsync).WithName("ArcResetPassword").WithSummary("Sets a new password with a reset token, once.");
        group.MapPost("/auth/sign-up/create-token", SignUpCreateTokenAsync).WithName("ArcSignUpCreateToken").WithSummary("Emails a sign-up link (the same 204 for an address that has an account).").RequireRateLimiting(RateLimiting.Email);
        group.MapGet("/auth/sign-up/verify-token", SignUpVerifyTokenAsync).WithName("ArcSignUpVerifyToken").WithSummary("The claims of the sign-up token given as the bearer.");
        group.MapPost("/auth/sign-up/create-user", SignUpCreateUserAsync).WithName("ArcSignUpCreateUser").WithSummary("Creates the user of a sign-up token, once.").RequireRateLimiting(RateLimiting.Registration);

        group.MapGet("/auth-clients", ListClientsAsync).WithName("ArcListClients").WithSummary("Clients matching a LoopBack filter (administrators).");
        group.MapGet("/auth-clients/count", CountClientsAsync).WithName("ArcCountClients").WithSummary("How many clients match a LoopBack where (administrators).");
        group.MapPost("/auth-clients", CreateClientAsync).WithName("ArcCreateClient").WithSummary("Creates a client (administrators).");
        group.MapPatch("/auth-clients", UpdateClientsWhereAsync).WithName("ArcUpdateClientsWhere").WithSummary("Changes every client matching a where (administrators).");
        group.MapGet("/auth-clients/{id}", GetClientAsync).WithName("ArcGetClient").WithSummary("One client (administrators).");
        group.MapPut("/auth-clients/{id}", ReplaceClientAsync).WithName("ArcReplaceClient").WithSummary("Replaces a client (administrators).");
        group.MapPatch("/auth-clients/{id}", UpdateClientAsync).WithName("ArcUpdateClient").WithSummary("Changes a client (administrators).");
        group.MapDelete("/auth-clients/{id}", DeleteClientAsync).WithName("ArcDeleteClient").WithSummary("Deletes a client (administrators).");

        group.MapPost("/otp-caches", CacheOtpAsync).WithName("ArcCacheOtp").WithSummary("Caches a one-time password for a user (administrators and trusted services).");
        group.MapGet("/otp-caches/{id}", GetOtpAsync).WithName("ArcGetOtp").WithSummary("A cached OTP, masked (administrators and trusted services).");
        group.MapDelete("/otp-caches/{id}", DeleteOtpAsync).WithName("ArcDeleteOtp").WithSummary("Deletes a cached OTP (administrators and trusted services).");
        return group;
    }

    private static ArcSettings Settings(HttpContext http) =>
        http.GetEndpoint()?.Metadata.GetMetadata<ArcSettings>() ?? throw new InvalidOperationException("An arc endpoint without its settings.");

    private static RequestContext Context(HttpContext http) => http.ToRequestContext(ArcDialect.SurfaceName);

    /// <summary>Reads and checks a body against its LoopBack schema.</summary>
    private static async Task<(ArcBody? Body, WireError<ArcError>? Refused)> ReadAsync(HttpContext http, ArcSchema schema)
    {
        var read = await DialectBody.ReadJsonAsync(http.Request, Body, http.RequestAborted);
        if (!read.Succeeded)
        {
            return (null, ArcMapper.Unreadable(read));
        }
        var details = ArcBody.Validate(read.Value, schema);
        return details.Count > 0 ? (null, ArcMapper.ValidationFailed(details)) : (new ArcBody(read.Value), null);
    }

    private static async Task<(AccessTokenClaims? Claims, WireError<ArcError>? Refused)> BearerAsync(HttpContext http)
    {
        var bearer = await http.AuthenticateBearerAsync();
        return DialectBearer.Accepts(bearer.Status) ? (bearer.Claims, null) : (null, ArcMapper.Bearer(bearer.Status));
    }

    /// <summary>
    /// Administrators on a first-party token only (<see cref="AccessTokenAudiences.GrantsAdministration"/>);
    /// others get 403 "NotAllowedAccess", an arc client's token of an administrator too: these
    /// routes read every client's secret, and signing in to a client app must not hand it that.
    /// </summary>
    private static async Task<(AccessTokenClaims? Claims, WireError<ArcError>? Refused)> AdminAsync(HttpContext http)
    {
        var (claims, refused) = await BearerAsync(http);
        if (refused is not null)
        {
            return (null, refused);
        }
        return AccessTokenAudiences.GrantsAdministration(claims!) ? (claims, null) : (null, ArcMapper.NotAllowed());
    }

    /// <summary>The body, then the client, then the user on it: the start of both sign-in routes.</summary>
    private static async Task<((Core.Accounts.User User, Client Client)? Verified, WireError<ArcError>? Refused)> VerifyLoginAsync(HttpContext http, ClientSignInService service)
    {
        var (body, refused) = await ReadAsync(http, LoginSchema);
        if (refused is not null)
        {
            return (null, refused);
        }
        var verified = await service.VerifyAsync(body!.String("client_id"), body.String("client_secret"), body.String("username"), body.String("password"), Context(http), http.RequestAborted);
        return verified.Succeeded ? (verified.Value, null) : (null, ArcMapper.SignIn(verified.Error!));
    }

    /// <summary>A body checked against its schema, then an administrator's bearer (LoopBack validates first).</summary>
    private static async Task<(ArcBody? Body, AccessTokenClaims? Claims, WireError<ArcError>? Refused)> ReadAsAdminAsync(HttpContext http, ArcSchema schema)
    {
        var (body, invalid) = await ReadAsync(http, schema);
        if (invalid is not null)
        {
            return (null, null, invalid);
        }
        var (claims, denied) = await AdminAsync(http);
        return (body, claims, denied);
    }

    private static async Task<Results<WireJson<ArcCodeResponse, Status200>, WireError<ArcError>>> LoginAsync(HttpContext http, ClientSignInService service)
    {
        var (verified, refused) = await VerifyLoginAsync(http, service);
        if (refused is not null)
        {
            return refused;
        }
        var code = await service.IssueCodeAsync(verified!.Value.User, verified.Value.Client, http.RequestAborted);
        return ArcMapper.Json(new ArcCodeResponse(code), ArcJsonContext.Default.ArcCodeResponse);
    }

    private static async Task<Results<WireJson<ArcTokenResponse, Status200>, WireError<ArcError>>> LoginTokenAsync(HttpContext http, ClientSignInService service)
    {
        var (verified, refused) = await VerifyLoginAsync(http, service);
        if (refused is not null)
        {
            return refused;
        }
        return ArcMapper.Tokens(await service.StartSessionAsync(verified!.Value.User, verified.Value.Client, Context(http), http.RequestAborted));
    }

    private static async Task<Results<WireJson<ArcTokenResponse, Status200>, WireError<ArcError>>> TokenAsync(HttpContext http, ClientSignInService service)
    {
        var (body, refused) = await ReadAsync(http, TokenSchema);
        if (refused is not null)
        {
            return refused;
        }
        var tokens = await service.ExchangeCodeAsync(body!.String("code"), body.String("clientId"), Context(http), http.RequestAborted);
        return tokens.Succeeded ? ArcMapper.Tokens(tokens.Value) : ArcMapper.CodeExchange(tokens.Error!);
    }

    private static async Task<Results<WireJson<ArcTokenResponse, Status200>, WireError<ArcError>>> RefreshAsync(HttpContext http, ClientSignInService service)
    {
        var (body, refused) = await ReadAsync(http, RefreshSchema);
        if (refused is not null)
        {
            return refused;
        }
        var tokens = await service.RefreshBoundAsync(body!.String("refreshToken"), http.Request.BearerToken(), Context(http), http.RequestAborted);
        return tokens.Succeeded ? ArcMapper.Tokens(tokens.Value) : ArcMapper.RefreshToken(tokens.Error!);
    }

    /// <summary>
    /// ARC's <c>GET /auth/me</c>. Internal rather than private so that, when dialect "intercode"
    /// also declares the route, the one shared handler can answer in arc's shape for every token
    /// not issued by intercode (CONTRACTS.md, rules for every dialect).
    /// </summary>
    internal static async Task<Results<WireJson<ArcUser, Status200>, WireError<ArcError>>> MeAsync(HttpContext http, ClientSignInService service)
    {
        var (claims, refused) = await BearerAsync(http);
        if (refused is not null)
        {
            return refused;
        }
        var profile = await service.ProfileAsync(claims!.Subject, claims.Audience, http.RequestAborted);
        return profile.Succeeded
            ? ArcMapper.Json(ArcUser.From(profile.Value), ArcJsonContext.Default.ArcUser)
            : ArcMapper.ObjectError(StatusCodes.Status401Unauthorized, "TokenRevoked");
    }

    /// <summary>
    /// The common start of the routes that act on the caller's session with its refresh token in
    /// the body (logout, change-password): the body, then the bearer, then the refresh token
    /// (missing 422 "TokenMissing"; unknown or used 401 "Token Expired"; another session's 401 "Token Invalid").
    /// </summary>
    private static async Task<(ArcBody? Body, AccessTokenClaims? Claims, WireError<ArcError>? Refused)> ReadSessionRequestAsync(HttpContext http, ArcSchema schema, ClientSignInService service)
    {
        var (body, invalid) = await ReadAsync(http, schema);
        if (invalid is not null)
        {
            return (null, null, invalid);
        }
        var (claims, refused) = await BearerAsync(http);
        if (refused is not null)
        {
            return (null, null, refused);
        }
        if (body!.String("refreshToken") is not { Length: > 0 } refreshToken)
        {
            return (null, null, ArcMapper.RefreshTokenMissing());
        }
        var checkedToken = await service.CheckRefreshTokenAsync(refreshToken, claims!.SessionId, http.RequestAborted);
        return checkedToken.Succeeded ? (body, claims, null) : (null, null, ArcMapper.RefreshToken(checkedToken.Error!));
    }

    private static async Task<Results<WireJson<ArcSuccess, Status200>, WireError<ArcError>>> LogoutAsync(HttpContext http, ClientSignInService service, SessionService sessions)
    {
        var (_, claims, refused) = await ReadSessionRequestAsync(http, LogoutSchema, service);
        if (refused is not null)
        {
            return refused;
        }
        // Ends the session: its refresh token and every access token of it stop working.
        // The keycloak variant's upstream sign-out belongs to the federated-login work.
        var ended = await sessions.EndAsync(claims!.SessionId, SessionEndReasons.SignOut, Context(http), ownerId: claims.Subject, cancellationToken: http.RequestAborted);
        return ended.Succeeded ? ArcMapper.Success() : ArcMapper.ObjectError(StatusCodes.Status401Unauthorized, "TokenRevoked");
    }

    private static async Task<Results<WireJson<ArcSuccess, Status200>, WireError<ArcError>>> ChangePasswordAsync(HttpContext http, ClientSignInService service, AccountService accounts)
    {
        var (body, claims, refused) = await ReadSessionRequestAsync(http, ChangePasswordSchema, service);
        if (refused is not null)
        {
            return refused;
        }
        // ARC lets a caller holding the session's access and refresh tokens change the password
        // without the old one; a given old password is still checked. Every session then ends.
        var changed = await accounts.ChangePasswordAsync(claims!.Subject, body!.String("oldPassword"), body.String("password"), null, Context(http), http.RequestAborted,
            requireCurrentPassword: false, assertedLogin: body.String("username") ?? "");
        return changed.Succeeded ? ArcMapper.Success() : ArcMapper.Password(changed.Error!);
    }

    private static async Task<Results<NoContent, WireError<ArcError>>> ForgetPasswordAsync(HttpContext http, ClientSignInService service)
    {
        var (body, refused) = await ReadAsync(http, ForgetPasswordSchema);
        if (refused is not null)
        {
            return refused;
        }
        var requested = await service.RequestPasswordResetAsync(body!.String("client_id"), body.String("client_secret"), body.String("username"), Settings(http).PasswordResetLink, Context(http), http.RequestAborted);
        return requested.Succeeded ? TypedResults.NoContent() : ArcMapper.ResetRequest(requested.Error!);
    }

    private static async Task<Results<WireJson<ArcSuccess, Status200>, WireError<ArcError>>> VerifyResetLinkAsync(HttpContext http, AccountService accounts)
    {
        if (http.Request.Query["token"].ToString() is not { Length: > 0 } token)
        {
            return ArcMapper.MissingParameter("token");
        }
        var checkedToken = await accounts.CheckPasswordResetTokenAsync(token, http.RequestAborted);
        return checkedToken.Succeeded ? ArcMapper.Success() : ArcMapper.Password(checkedToken.Error!);
    }

    private static async Task<Results<NoContent, WireError<ArcError>>> ResetPasswordAsync(HttpContext http, ClientSignInService service)
    {
        var (body, refused) = await ReadAsync(http, ResetPasswordSchema);
        if (refused is not null)
        {
            return refused;
        }
        var reset = await service.ResetPasswordAsync(body!.String("client_id"), body.String("client_secret"), body.String("token"), body.String("password"), Context(http), http.RequestAborted);
        return reset.Succeeded ? TypedResults.NoContent() : ArcMapper.Password(reset.Error!);
    }

    private static async Task<Results<NoContent, WireError<ArcError>>> SignUpCreateTokenAsync(HttpContext http, SignUpLinkService signUps)
    {
        var (body, refused) = await ReadAsync(http, SignUpRequestSchema);
        if (refused is not null)
        {
            return refused;
        }
        var data = body!.Root.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object ? d.GetRawText() : null;
        var requested = await signUps.RequestAsync(body.String("email"), data, Settings(http).SignUpLink, http.RequestAborted);
        return requested.Succeeded ? TypedResults.NoContent() : ArcMapper.SignUp(requested.Error!);
    }

    private static async Task<Results<WireJson<ArcSignUpClaims, Status200>, WireError<ArcError>>> SignUpVerifyTokenAsync(HttpContext http, SignUpLinkService signUps)
    {
        if (http.Request.BearerToken() is not { } token)
        {
            return ArcMapper.Bearer(BearerStatus.Missing);
        }
        var peeked = await signUps.PeekAsync(token, http.RequestAborted);
        if (!peeked.Succeeded)
        {
            return ArcMapper.SignUpToken(peeked.Error!);
        }
        var claims = new ArcSignUpClaims(peeked.Value.Email, peeked.Value.CreatedAt.ToUnixTimeSeconds(), peeked.Value.ExpiresAt.ToUnixTimeSeconds());
        return ArcMapper.Json(claims, ArcJsonContext.Default.ArcSignUpClaims);
    }

    private static async Task<Results<WireJson<ArcSignUpResult, Status200>, WireError<ArcError>>> SignUpCreateUserAsync(HttpContext http, SignUpLinkService signUps)
    {
        var (body, refused) = await ReadAsync(http, SignUpUserSchema);
        if (refused is not null)
        {
            return refused;
        }
        if (http.Request.BearerToken() is not { } token)
        {
            return ArcMapper.Bearer(BearerStatus.Missing);
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
        var created = await signUps.CompleteAsync(token, request, Context(http), http.RequestAborted);
        if (!created.Succeeded)
        {
            return ArcMapper.SignUp(created.Error!);
        }
        var user = ArcUser.From(new ClientUserProfile(created.Value, [], null));
        return ArcMapper.Json(new ArcSignUpResult(created.Value.Email, user), ArcJsonContext.Default.ArcSignUpResult);
    }

    private static async Task<Results<WireJson<List<ArcAuthClient>, Status200>, WireError<ArcError>>> ListClientsAsync(HttpContext http, ClientQueryService queries, AdminService admin, IOptions<TokenOptions> defaults)
    {
        var (_, denied) = await AdminAsync(http);
        if (denied is not null)
        {
            return denied;
        }
        ArcClientFilter filter;
        try
        {
            filter = ArcFilterParser.ParseFilter(http.Request.Query["filter"].ToString());
        }
        catch (ArcFilterParser.FilterException ex)
        {
            return ArcMapper.BadFilter(ex.Message);
        }
        var found = await queries.FindAsync(filter.Query, http.RequestAborted);
        if (!found.Succeeded)
        {
            return ArcMapper.Clients(found.Error!, "Invalid filter: ");
        }
        var list = found.Value.Select(c => ArcMapper.Client(c, admin, defaults.Value)).ToList();
        if (filter.Fields is null)
        {
            return ArcMapper.Json(list, ArcJsonContext.Default.ListArcAuthClient);
        }
        // LoopBack's `fields`: only the named properties are shown.
        var array = JsonSerializer.SerializeToNode(list, ArcJsonContext.Default.ListArcAuthClient)!.AsArray();
        foreach (var item in array.OfType<JsonObject>())
        {
            foreach (var name in item.Select(p => p.Key).Where(k => !filter.Fields.Contains(k)).ToList())
            {
                item.Remove(name);
            }
        }
        return new WireJson<List<ArcAuthClient>, Status200>(list, System.Text.Encoding.UTF8.GetBytes(array.ToJsonString()));
    }

    /// <summary>The <c>where</c> query parameter as the core's filter, or the 400 that refuses it.</summary>
    private static (ClientFilter? Where, WireError<ArcError>? Refused) ParseWhere(HttpContext http)
    {
        try
        {
            return (ArcFilterParser.ParseWhereParameter(http.Request.Query["where"].ToString()), null);
        }
        catch (ArcFilterParser.FilterException ex)
        {
            return (null, ArcMapper.BadFilter(ex.Message));
        }
    }

    private static async Task<Results<WireJson<ArcCount, Status200>, WireError<ArcError>>> CountClientsAsync(HttpContext http, ClientQueryService queries)
    {
        var (_, denied) = await AdminAsync(http);
        if (denied is not null)
        {
            return denied;
        }
        var (where, badWhere) = ParseWhere(http);
        if (badWhere is not null)
        {
            return badWhere;
        }
        var count = await queries.CountAsync(where, http.RequestAborted);
        return count.Succeeded ? ArcMapper.Json(new ArcCount(count.Value), ArcJsonContext.Default.ArcCount) : ArcMapper.Clients(count.Error!, "Invalid filter: ");
    }

    /// <summary>The core change a body asks for; the core checks its values.</summary>
    private static ClientChange ToChange(ArcBody body)
    {
        var redirect = body.String("redirectUrl");
        return new ClientChange
        {
            ClientId = body.String("clientId"),
            Secret = body.String("clientSecret"),
            CodeSecret = body.String("secret"),
            RedirectUris = redirect is null ? null : redirect.Length == 0 ? [] : [redirect],
            AccessTokenLifetimeSeconds = body.Number("accessTokenExpiration"),
            RefreshTokenLifetimeSeconds = body.Number("refreshTokenExpiration"),
            AuthorizationCodeLifetimeSeconds = body.Number("authCodeExpiration"),
        };
    }

    private static async Task<Results<WireJson<ArcAuthClient, Status200>, WireError<ArcError>>> CreateClientAsync(HttpContext http, AdminService admin, IOptions<TokenOptions> defaults)
    {
        var (body, claims, refused) = await ReadAsAdminAsync(http, FullClient);
        if (refused is not null)
        {
            return refused;
        }
        var created = await admin.CreateClientAsync(ToChange(body!), claims!.Subject, Context(http), http.RequestAborted);
        return created.Succeeded
            ? ArcMapper.Json(ArcMapper.Client(created.Value, admin, defaults.Value), ArcJsonContext.Default.ArcAuthClient)
            : ArcMapper.Clients(created.Error!);
    }

    private static async Task<Results<WireJson<ArcCount, Status200>, WireError<ArcError>>> UpdateClientsWhereAsync(HttpContext http, ClientQueryService queries)
    {
        var (body, claims, refused) = await ReadAsAdminAsync(http, PartialClient);
        if (refused is not null)
        {
            return refused;
        }
        var (where, badWhere) = ParseWhere(http);
        if (badWhere is not null)
        {
            return badWhere;
        }
        var count = await queries.UpdateWhereAsync(where, ToChange(body!), claims!.Subject, Context(http), http.RequestAborted);
        return count.Succeeded ? ArcMapper.Json(new ArcCount(count.Value), ArcJsonContext.Default.ArcCount) : ArcMapper.Clients(count.Error!, "Invalid filter: ");
    }

    /// <summary>The client of a numeric id (AuthClient.id is the client's number).</summary>
    private static async Task<Client?> FindClientAsync(HttpContext http, string id, ClientQueryService queries) =>
        long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
        && await queries.GetByNumberAsync(number, http.RequestAborted) is { Succeeded: true } found
            ? found.Value
            : null;

    private static async Task<Results<WireJson<ArcAuthClient, Status200>, WireError<ArcError>>> GetClientAsync(HttpContext http, string id, ClientQueryService queries, AdminService admin, IOptions<TokenOptions> defaults)
    {
        var (_, denied) = await AdminAsync(http);
        if (denied is not null)
        {
            return denied;
        }
        return await FindClientAsync(http, id, queries) is { } client
            ? ArcMapper.Json(ArcMapper.Client(client, admin, defaults.Value), ArcJsonContext.Default.ArcAuthClient)
            : ArcMapper.NotFound("AuthClient");
    }

    private static Task<Results<NoContent, WireError<ArcError>>> ReplaceClientAsync(HttpContext http, string id, ClientQueryService queries, AdminService admin) => ChangeClientAsync(http, id, queries, admin, FullClient);

    private static Task<Results<NoContent, WireError<ArcError>>> UpdateClientAsync(HttpContext http, string id, ClientQueryService queries, AdminService admin) => ChangeClientAsync(http, id, queries, admin, PartialClient);

    private static async Task<Results<NoContent, WireError<ArcError>>> ChangeClientAsync(HttpContext http, string id, ClientQueryService queries, AdminService admin, ArcSchema schema)
    {
        var (body, claims, refused) = await ReadAsAdminAsync(http, schema);
        if (refused is not null)
        {
            return refused;
        }
        if (await FindClientAsync(http, id, queries) is not { } client)
        {
            return ArcMapper.NotFound("AuthClient");
        }
        var updated = await admin.UpdateClientAsync(client.ClientId, ToChange(body!), claims!.Subject, Context(http), http.RequestAborted);
        return updated.Succeeded ? TypedResults.NoContent() : ArcMapper.Clients(updated.Error!);
    }

    private static async Task<Results<NoContent, WireError<ArcError>>> DeleteClientAsync(HttpContext http, string id, ClientQueryService queries, AdminService admin)
    {
        var (claims, denied) = await AdminAsync(http);
        if (denied is not null)
        {
            return denied;
        }
        if (await FindClientAsync(http, id, queries) is not { } client)
        {
            return ArcMapper.NotFound("AuthClient");
        }
        var deleted = await admin.DeleteClientAsync(client.ClientId, claims!.Subject, Context(http), http.RequestAborted);
        return deleted.Succeeded ? TypedResults.NoContent() : ArcMapper.Clients(deleted.Error!);
    }

    /// <summary>
    /// The caller of <c>/otp-caches</c>: a trusted service with HTTP Basic client credentials, or
    /// a bearer token; the core decides who may (<see cref="ClientSignInService.AuthorizeOtpCallerAsync"/>).
    /// </summary>
    private static async Task<(string? Actor, WireError<ArcError>? Refused)> OtpCallerAsync(HttpContext http, ClientSignInService service)
    {
        AccessTokenClaims? claims = null;
        ClientCredentials? credentials = null;
        if (BasicCredentials.IsPresent(http.Request))
        {
            credentials = BasicCredentials.Read(http.Request);
        }
        else
        {
            (claims, var refused) = await BearerAsync(http);
            if (refused is not null)
            {
                return (null, refused);
            }
        }
        var actor = await service.AuthorizeOtpCallerAsync(claims, credentials, Settings(http).OtpClients, http.RequestAborted);
        if (actor.Succeeded)
        {
            return (actor.Value, null);
        }
        return (null, actor.Error!.Code == CoreErrors.InvalidClientCode ? ArcMapper.Error(StatusCodes.Status401Unauthorized, "Client Invalid") : ArcMapper.NotAllowed());
    }

    // CONTRACTS.md 001, secure: /otp-caches is for administrators and trusted services only (the
    // original left it open, which let anyone set a password for anyone).

    private static async Task<Results<WireJson<ArcOtp, Status200>, WireError<ArcError>>> CacheOtpAsync(HttpContext http, ClientSignInService service)
    {
        var (body, invalid) = await ReadAsync(http, OtpSchema);
        if (invalid is not null)
        {
            return invalid;
        }
        var (actor, denied) = await OtpCallerAsync(http, service);
        if (denied is not null)
        {
            return denied;
        }
        var otp = body!.String("otp");
        var cached = await service.CacheOtpAsync(body.String("username"), otp, Context(http), actor, http.RequestAborted);
        if (!cached.Succeeded)
        {
            return cached.Error!.Code == CoreErrors.NotFoundCode ? ArcMapper.NotFound("User") : ArcMapper.Clients(cached.Error);
        }
        return ArcMapper.Json(new ArcOtp(cached.Value.Id, otp!, cached.Value.Username), ArcJsonContext.Default.ArcOtp);
    }

    private static async Task<Results<WireJson<ArcOtp, Status200>, WireError<ArcError>>> GetOtpAsync(HttpContext http, string id, ClientSignInService service)
    {
        var (_, denied) = await OtpCallerAsync(http, service);
        if (denied is not null)
        {
            return denied;
        }
        var found = await service.GetOtpAsync(id, http.RequestAborted);
        return found.Succeeded
            ? ArcMapper.Json(new ArcOtp(found.Value.Id, MaskedOtp, found.Value.Username), ArcJsonContext.Default.ArcOtp)
            : ArcMapper.NotFound("Otp");
    }

    private static async Task<Results<NoContent, WireError<ArcError>>> DeleteOtpAsync(HttpContext http, string id, ClientSignInService service)
    {
        var (actor, denied) = await OtpCallerAsync(http, service);
        if (denied is not null)
        {
            return denied;
        }
        var deleted = await service.DeleteOtpAsync(id, Context(http), actor, http.RequestAborted);
        return deleted.Succeeded ? TypedResults.NoContent() : ArcMapper.NotFound("Otp");
    }
}
