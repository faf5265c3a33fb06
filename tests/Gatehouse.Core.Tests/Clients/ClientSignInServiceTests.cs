using Gatehouse.Core.Accounts;
using Gatehouse.Core.Audit;
using Gatehouse.Core.Clients;
using Gatehouse.Core.Common;
using Gatehouse.Core.Sessions;
using Gatehouse.Core.Tests.Fakes;
using Gatehouse.Core.Tokens;

namespace Gatehouse.Core.Tests.Clients;

/// <summary>ClientSignInService: client authentication, users allowed on clients, codes, OTPs and bound refresh.</summary>
public sealed class ClientSignInServiceTests
{
    private const string Email = "ada@example.com";
    private const string Secret = "the app's client secret";
    private readonly CoreHarness _h = new();

    private async Task<(User User, Client Client)> AllowedUserAsync(string clientId = "app")
    {
        var client = await _h.CreateClientAsync(clientId, Secret);
        var user = await _h.RegisterAsync(Email);
        Assert.True((await _h.ClientSignIn.AllowAsync(user.Id, clientId, CoreHarness.Native, "usr_admin")).Succeeded);
        return (user, client);
    }

    private async Task<string> CodeAsync(User user, Client client) => await _h.ClientSignIn.IssueCodeAsync(user, client);

    [Fact]
    public async Task A_client_authenticates_with_its_id_and_secret()
    {
        await _h.CreateClientAsync("app", Secret);

        Assert.Equal("app", (await _h.ClientSignIn.AuthenticateClientAsync("app", Secret)).Value.ClientId);
        Assert.Equal(CoreErrors.InvalidClientCode, (await _h.ClientSignIn.AuthenticateClientAsync("app", Secret + "!")).Error?.Code);
        Assert.Equal(CoreErrors.InvalidClientCode, (await _h.ClientSignIn.AuthenticateClientAsync("app", null)).Error?.Code);
        Assert.Equal(CoreErrors.InvalidClientCode, (await _h.ClientSignIn.AuthenticateClientAsync("nope", Secret)).Error?.Code);
        Assert.Equal(CoreErrors.InvalidClientCode, (await _h.ClientSignIn.AuthenticateClientAsync(new string('a', 201), Secret)).Error?.Code);
    }

    [Fact]
    public async Task A_deleted_client_no_longer_authenticates()
    {
        await _h.CreateClientAsync("app", Secret);
        await _h.Admin.DeleteClientAsync("app", "usr_admin", CoreHarness.Native);

        Assert.Equal(CoreErrors.InvalidClientCode, (await _h.ClientSignIn.AuthenticateClientAsync("app", Secret)).Error?.Code);
    }

    [Fact]
    public async Task A_user_allowed_on_the_client_is_verified_by_password()
    {
        var (user, client) = await AllowedUserAsync();

        Assert.Equal(user.Id, (await _h.ClientSignIn.VerifyUserAsync(client, Email, CoreHarness.Password, CoreHarness.Native)).Value.Id);
    }

    [Fact]
    public async Task A_user_not_allowed_on_the_client_is_told_so_only_after_proving_the_password()
    {
        var client = await _h.CreateClientAsync("app", Secret);
        var user = await _h.RegisterAsync(Email);

        var wrong = await _h.ClientSignIn.VerifyUserAsync(client, Email, "wrong password", CoreHarness.Native);
        var right = await _h.ClientSignIn.VerifyUserAsync(client, Email, CoreHarness.Password, CoreHarness.Native);

        Assert.Equal(CoreErrors.InvalidCredentialsCode, wrong.Error?.Code);
        Assert.Equal(CoreErrors.InvalidClientCode, right.Error?.Code);
        Assert.Single(_h.AuditRows(AuditTypes.SignInFailed), e => e.Detail == "client_not_allowed" && e.UserId == user.Id);
    }

    [Fact]
    public async Task Allowing_is_idempotent_and_disallowing_takes_effect_at_once()
    {
        var (user, client) = await AllowedUserAsync();
        Assert.True((await _h.ClientSignIn.AllowAsync(user.Id, "app", CoreHarness.Native)).Succeeded);
        Assert.Single(_h.Database.Select<UserClient>(_h.Database.UserClients));

        Assert.True((await _h.ClientSignIn.DisallowAsync(user.Id, "app", CoreHarness.Native)).Succeeded);

        Assert.False(await _h.ClientSignIn.IsAllowedAsync(user.Id, "app"));
        Assert.Equal(CoreErrors.NotFoundCode, (await _h.ClientSignIn.DisallowAsync(user.Id, "app", CoreHarness.Native)).Error?.Code);
        Assert.Equal(CoreErrors.InvalidClientCode, (await _h.ClientSignIn.VerifyUserAsync(client, Email, CoreHarness.Password, CoreHarness.Native)).Error?.Code);
    }

    [Fact]
    public async Task Only_live_users_and_clients_can_be_allowed()
    {
        await _h.CreateClientAsync("app", Secret);
        var user = await _h.RegisterAsync(Email);

        Assert.Equal(CoreErrors.NotFoundCode, (await _h.ClientSignIn.AllowAsync("usr_missing", "app", CoreHarness.Native)).Error?.Code);
        Assert.Equal(CoreErrors.NotFoundCode, (await _h.ClientSignIn.AllowAsync(user.Id, "missing", CoreHarness.Native)).Error?.Code);
    }

    [Fact]
    public async Task A_code_is_exchanged_once_for_a_session_of_its_client()
    {
        var (user, client) = await AllowedUserAsync();
        var code = await CodeAsync(user, client);

        var tokens = await _h.ClientSignIn.ExchangeCodeAsync(code, "app", CoreHarness.Native);
        var again = await _h.ClientSignIn.ExchangeCodeAsync(code, "app", CoreHarness.Native);

        Assert.True(tokens.Succeeded, tokens.Error?.ToString());
        Assert.Equal("app", (await _h.AccessTokens.ReadAsync(tokens.Value.AccessToken)).Claims!.Audience);
        Assert.Equal("app", _h.SessionRow(tokens.Value.SessionId)!.ClientId);
        Assert.Equal(CoreErrors.InvalidCredentialsCode, again.Error?.Code);
    }

    [Fact]
    public async Task A_code_presented_by_another_client_is_refused_and_not_burned()
    {
        var (user, client) = await AllowedUserAsync();
        await _h.CreateClientAsync("other", Secret);
        var code = await CodeAsync(user, client);

        var foreign = await _h.ClientSignIn.ExchangeCodeAsync(code, "other", CoreHarness.Native);

        Assert.Equal(CoreErrors.InvalidCredentialsCode, foreign.Error?.Code);
        Assert.True((await _h.ClientSignIn.ExchangeCodeAsync(code, "app", CoreHarness.Native)).Succeeded);
    }

    [Fact]
    public async Task A_code_expires_after_the_default_code_lifetime()
    {
        var (user, client) = await AllowedUserAsync();
        var code = await CodeAsync(user, client);
        _h.Clock.Advance(_h.Options.Tokens.AuthorizationCodeLifetime);

        Assert.Equal(CoreErrors.ExpiredTokenCode, (await _h.ClientSignIn.ExchangeCodeAsync(code, "app", CoreHarness.Native)).Error?.Code);
    }

    [Fact]
    public async Task A_client_s_own_code_lifetime_replaces_the_default()
    {
        var client = await _h.CreateClientAsync("quick", Secret, codeSeconds: 20);
        var user = await _h.RegisterAsync(Email);
        await _h.ClientSignIn.AllowAsync(user.Id, "quick", CoreHarness.Native);
        var code = await CodeAsync(user, client);
        _h.Clock.Advance(TimeSpan.FromSeconds(20));

        Assert.Equal(CoreErrors.ExpiredTokenCode, (await _h.ClientSignIn.ExchangeCodeAsync(code, "quick", CoreHarness.Native)).Error?.Code);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-a-code")]
    public async Task An_unknown_code_is_refused_as_wrong_credentials(string? code)
    {
        await AllowedUserAsync();

        Assert.Equal(CoreErrors.InvalidCredentialsCode, (await _h.ClientSignIn.ExchangeCodeAsync(code, "app", CoreHarness.Native)).Error?.Code);
    }

    [Fact]
    public async Task A_code_for_an_unknown_client_is_refused_as_an_invalid_client()
    {
        var (user, client) = await AllowedUserAsync();
        var code = await CodeAsync(user, client);

        Assert.Equal(CoreErrors.InvalidClientCode, (await _h.ClientSignIn.ExchangeCodeAsync(code, "missing", CoreHarness.Native)).Error?.Code);
    }

    [Fact]
    public async Task A_code_of_a_user_disallowed_or_disabled_since_it_was_issued_starts_no_session()
    {
        var (user, client) = await AllowedUserAsync();
        var disallowedCode = await CodeAsync(user, client);
        var disabledCode = await CodeAsync(user, client);
        await _h.ClientSignIn.DisallowAsync(user.Id, "app", CoreHarness.Native);

        var disallowed = await _h.ClientSignIn.ExchangeCodeAsync(disallowedCode, "app", CoreHarness.Native);
        await _h.ClientSignIn.AllowAsync(user.Id, "app", CoreHarness.Native);
        await _h.Admin.SetDisabledAsync(user.Id, true, "usr_admin", CoreHarness.Native);
        var disabled = await _h.ClientSignIn.ExchangeCodeAsync(disabledCode, "app", CoreHarness.Native);

        Assert.Equal(CoreErrors.InvalidClientCode, disallowed.Error?.Code);
        Assert.Equal(CoreErrors.AccountDisabledCode, disabled.Error?.Code);
        Assert.Empty(_h.Database.Select<Session>(_h.Database.Sessions));
    }

    [Fact]
    public async Task A_cached_otp_stands_in_for_the_password_once()
    {
        var (user, client) = await AllowedUserAsync();
        var cached = await _h.ClientSignIn.CacheOtpAsync(Email, "123456", CoreHarness.Native, "usr_admin");

        // Each as a surface runs it: the verification, then the save that goes with the sign-in.
        async Task<Result<User>> VerifyAsync()
        {
            var scope = _h.Scope();
            var verified = await scope.ClientSignIn.VerifyUserAsync(client, Email, "123456", CoreHarness.Native);
            await scope.UnitOfWork.SaveChangesAsync();
            return verified;
        }
        var first = await VerifyAsync();
        var second = await VerifyAsync();

        Assert.Equal(CoreHarness.Start + ClientSignInService.OtpLifetime, cached.Value.ExpiresAt);
        Assert.Equal(user.Id, first.Value.Id);
        // Used up, it is just a wrong password now, and counts as a failed sign-in.
        Assert.Equal(CoreErrors.InvalidCredentialsCode, second.Error?.Code);
        Assert.Equal(1, _h.UserRow(user.Id)!.FailedSignIns);
    }

    [Fact]
    public async Task A_cached_otp_expires_after_fifteen_minutes()
    {
        var (_, client) = await AllowedUserAsync();
        await _h.ClientSignIn.CacheOtpAsync(Email, "123456", CoreHarness.Native, "usr_admin");
        _h.Clock.Advance(ClientSignInService.OtpLifetime);

        Assert.Equal(CoreErrors.InvalidCredentialsCode, (await _h.ClientSignIn.VerifyUserAsync(client, Email, "123456", CoreHarness.Native)).Error?.Code);
    }

    [Fact]
    public async Task A_cached_otp_is_bound_to_its_user()
    {
        var (_, client) = await AllowedUserAsync();
        var other = await _h.RegisterAsync("grace@example.com");
        await _h.ClientSignIn.AllowAsync(other.Id, "app", CoreHarness.Native);
        await _h.ClientSignIn.CacheOtpAsync(Email, "123456", CoreHarness.Native, "usr_admin");

        Assert.Equal(CoreErrors.InvalidCredentialsCode, (await _h.ClientSignIn.VerifyUserAsync(client, "grace@example.com", "123456", CoreHarness.Native)).Error?.Code);
        Assert.True((await _h.ClientSignIn.VerifyUserAsync(client, Email, "123456", CoreHarness.Native)).Succeeded);
    }

    [Fact]
    public async Task Caching_the_same_otp_again_replaces_the_open_one()
    {
        var (user, _) = await AllowedUserAsync();
        var first = await _h.ClientSignIn.CacheOtpAsync(Email, "123456", CoreHarness.Native, "usr_admin");
        _h.Clock.Advance(TimeSpan.FromMinutes(10));

        var second = await _h.ClientSignIn.CacheOtpAsync(Email, "123456", CoreHarness.Native, "usr_admin");

        var row = Assert.Single(_h.Database.Select<SignInOtp>(_h.Database.SignInOtps));
        Assert.Equal(second.Value.Id, row.Id);
        Assert.NotEqual(first.Value.Id, row.Id);
        Assert.Equal(_h.Clock.GetUtcNow() + ClientSignInService.OtpLifetime, row.ExpiresAt);
        Assert.NotEqual("123456", row.Hash);
        Assert.Equal(user.Id, row.UserId);
    }

    [Fact]
    public async Task An_otp_of_a_disabled_account_is_refused_as_disabled()
    {
        var (user, client) = await AllowedUserAsync();
        await _h.ClientSignIn.CacheOtpAsync(Email, "123456", CoreHarness.Native, "usr_admin");
        await _h.Database.ChangeAsync<User>(_h.Database.Users, user.Id, u => u.Status = UserStatus.Disabled);

        Assert.Equal(CoreErrors.AccountDisabledCode, (await _h.ClientSignIn.VerifyUserAsync(client, Email, "123456", CoreHarness.Native)).Error?.Code);
    }

    [Fact]
    public async Task An_otp_is_cached_only_for_a_known_login_and_within_its_length()
    {
        await AllowedUserAsync();

        Assert.Equal(CoreErrors.NotFoundCode, (await _h.ClientSignIn.CacheOtpAsync("nobody@example.com", "123456", CoreHarness.Native, null)).Error?.Code);
        Assert.Equal(["invalid"], (await _h.ClientSignIn.CacheOtpAsync(Email, "", CoreHarness.Native, null)).Error!.Fields["otp"]);
        Assert.Equal(["invalid"], (await _h.ClientSignIn.CacheOtpAsync(Email, "12345", CoreHarness.Native, null)).Error!.Fields["otp"]);
        Assert.True((await _h.ClientSignIn.CacheOtpAsync(Email, "123456", CoreHarness.Native, null)).Succeeded);
        Assert.Equal(["invalid"], (await _h.ClientSignIn.CacheOtpAsync(Email, new string('1', 129), CoreHarness.Native, null)).Error!.Fields["otp"]);
    }

    [Fact]
    public async Task A_locked_account_refuses_its_cached_otp_as_a_wrong_password_and_keeps_it()
    {
        var (user, client) = await AllowedUserAsync();
        await _h.ClientSignIn.CacheOtpAsync(Email, "123456", CoreHarness.Native, "usr_admin");
        // Locked by failures of the native sign-in, which takes no OTP and leaves it alone.
        for (var i = 0; i <= _h.Options.SignIn.FreeFailures; i++)
        {
            await _h.SignIn.SignInAsync(Email, "wrong password", CoreHarness.Native);
        }

        var locked = await _h.ClientSignIn.VerifyUserAsync(client, Email, "123456", CoreHarness.Native);

        Assert.Equal(CoreErrors.InvalidCredentials, locked.Error);
        var row = Assert.Single(_h.Database.Select<SignInOtp>(_h.Database.SignInOtps));
        Assert.Null(row.ConsumedAt);
        Assert.Equal(0, row.Attempts);
        Assert.Equal(_h.Options.SignIn.FreeFailures + 1, _h.UserRow(user.Id)!.FailedSignIns);

        _h.Clock.Advance(_h.Options.SignIn.FirstDelay);
        Assert.Equal(user.Id, (await _h.ClientSignIn.VerifyUserAsync(client, Email, "123456", CoreHarness.Native)).Value.Id);
    }

    [Theory]
    [InlineData(ClientSignInService.MaxOtpAttempts - 1, true)]
    [InlineData(ClientSignInService.MaxOtpAttempts, false)]
    public async Task Every_sign_in_attempt_counts_against_an_open_otp_which_is_void_after_five(int wrongGuesses, bool accepted)
    {
        var (_, client) = await AllowedUserAsync();
        await _h.ClientSignIn.CacheOtpAsync(Email, "123456", CoreHarness.Native, "usr_admin");
        for (var i = 0; i < wrongGuesses; i++)
        {
            Assert.Equal(CoreErrors.InvalidCredentials, (await _h.ClientSignIn.VerifyUserAsync(client, Email, "65432" + i, CoreHarness.Native)).Error);
        }

        var right = await _h.ClientSignIn.VerifyUserAsync(client, Email, "123456", CoreHarness.Native);

        Assert.Equal(accepted, right.Succeeded);
        Assert.Equal(ClientSignInService.MaxOtpAttempts, Assert.Single(_h.Database.Select<SignInOtp>(_h.Database.SignInOtps)).Attempts);
    }

    [Fact]
    public async Task A_candidate_too_short_to_be_an_otp_is_checked_only_as_a_password()
    {
        var (_, client) = await AllowedUserAsync();
        await _h.ClientSignIn.CacheOtpAsync(Email, "123456", CoreHarness.Native, "usr_admin");

        Assert.Equal(CoreErrors.InvalidCredentials, (await _h.ClientSignIn.VerifyUserAsync(client, Email, "1", CoreHarness.Native)).Error);

        Assert.Equal(0, Assert.Single(_h.Database.Select<SignInOtp>(_h.Database.SignInOtps)).Attempts);
    }

    [Fact]
    public async Task The_stored_otp_hash_is_keyed_with_a_protected_server_secret()
    {
        var (user, _) = await AllowedUserAsync();
        await _h.ClientSignIn.CacheOtpAsync(Email, "123456", CoreHarness.Native, "usr_admin");

        var row = Assert.Single(_h.Database.Select<SignInOtp>(_h.Database.SignInOtps));
        var stored = Assert.Single(_h.ServerSecrets.Rows);
        Assert.Equal(SignInOtpHasher.KeyName, stored.Key);
        var key = System.Buffers.Text.Base64Url.DecodeFromChars(_h.Protector.Unprotect(stored.Value));
        Assert.Equal(32, key.Length);
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(key, System.Text.Encoding.UTF8.GetBytes("otp\n" + user.Id + "\n123456")));
        Assert.Equal(expected, row.Hash);
        // Not the plain hash a database reader could try candidates against.
        Assert.NotEqual(SecureTokens.Hash("otp\n" + user.Id + "\n123456"), row.Hash);
        // Another server (another key) would store another hash; this one keeps its key.
        Assert.NotEqual(row.Hash, await new SignInOtpHasher(new InMemoryServerSecretStore(), _h.Protector).HashAsync(user.Id, "123456"));
        Assert.Equal(row.Hash, await new SignInOtpHasher(_h.ServerSecrets, _h.Protector).HashAsync(user.Id, "123456"));
    }

    [Fact]
    public async Task A_cached_otp_can_be_read_back_and_deleted()
    {
        var (_, client) = await AllowedUserAsync();
        var cached = (await _h.ClientSignIn.CacheOtpAsync(" " + Email, "123456", CoreHarness.Native, "usr_admin")).Value;

        Assert.Equal(Email, (await _h.ClientSignIn.GetOtpAsync(cached.Id)).Value.Username);
        Assert.True((await _h.ClientSignIn.DeleteOtpAsync(cached.Id, CoreHarness.Native, "usr_admin")).Succeeded);

        Assert.Equal(CoreErrors.NotFoundCode, (await _h.ClientSignIn.GetOtpAsync(cached.Id)).Error?.Code);
        Assert.Equal(CoreErrors.NotFoundCode, (await _h.ClientSignIn.DeleteOtpAsync(cached.Id, CoreHarness.Native, null)).Error?.Code);
        Assert.Equal(CoreErrors.InvalidCredentialsCode, (await _h.ClientSignIn.VerifyUserAsync(client, Email, "123456", CoreHarness.Native)).Error?.Code);
    }

    [Fact]
    public async Task A_bound_refresh_takes_the_access_token_issued_with_the_refresh_token_even_expired()
    {
        var (user, client) = await AllowedUserAsync();
        var pair = await _h.ClientSignIn.StartSessionAsync(user, client, CoreHarness.Native);
        _h.Clock.Advance(_h.Options.Tokens.AccessTokenLifetime + TimeSpan.FromMinutes(1));

        var refreshed = await _h.ClientSignIn.RefreshBoundAsync(pair.RefreshToken, pair.AccessToken, CoreHarness.Native);

        Assert.True(refreshed.Succeeded, refreshed.Error?.ToString());
        Assert.True((await _h.ClientSignIn.RefreshBoundAsync(refreshed.Value.RefreshToken, refreshed.Value.AccessToken, CoreHarness.Native)).Succeeded);
    }

    [Fact]
    public async Task A_bound_refresh_with_another_session_s_access_token_is_invalid_and_leaves_the_token_usable()
    {
        var (user, client) = await AllowedUserAsync();
        var mine = await _h.ClientSignIn.StartSessionAsync(user, client, CoreHarness.Native);
        var other = await _h.ClientSignIn.StartSessionAsync(user, client, CoreHarness.Native);

        var crossed = await _h.ClientSignIn.RefreshBoundAsync(mine.RefreshToken, other.AccessToken, CoreHarness.Native);

        Assert.Equal(CoreErrors.InvalidTokenCode, crossed.Error?.Code);
        Assert.True((await _h.ClientSignIn.RefreshBoundAsync(mine.RefreshToken, mine.AccessToken, CoreHarness.Native)).Succeeded);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("fake.forged.signature")]
    public async Task A_bound_refresh_without_an_access_token_of_ours_is_invalid(string? accessToken)
    {
        var (user, client) = await AllowedUserAsync();
        var pair = await _h.ClientSignIn.StartSessionAsync(user, client, CoreHarness.Native);

        Assert.Equal(CoreErrors.InvalidTokenCode, (await _h.ClientSignIn.RefreshBoundAsync(pair.RefreshToken, accessToken, CoreHarness.Native)).Error?.Code);
    }

    [Fact]
    public async Task A_bound_refresh_with_the_previous_access_token_is_invalid()
    {
        var (user, client) = await AllowedUserAsync();
        var first = await _h.ClientSignIn.StartSessionAsync(user, client, CoreHarness.Native);
        var second = (await _h.ClientSignIn.RefreshBoundAsync(first.RefreshToken, first.AccessToken, CoreHarness.Native)).Value;

        Assert.Equal(CoreErrors.InvalidTokenCode, (await _h.ClientSignIn.RefreshBoundAsync(second.RefreshToken, first.AccessToken, CoreHarness.Native)).Error?.Code);
    }

    [Fact]
    public async Task A_bound_refresh_reports_unknown_or_reused_refresh_tokens_as_expired()
    {
        var (user, client) = await AllowedUserAsync();
        var first = await _h.ClientSignIn.StartSessionAsync(user, client, CoreHarness.Native);
        await _h.ClientSignIn.RefreshBoundAsync(first.RefreshToken, first.AccessToken, CoreHarness.Native);
        _h.Clock.Advance(TimeSpan.FromSeconds(11));

        Assert.Equal(CoreErrors.ExpiredTokenCode, (await _h.ClientSignIn.RefreshBoundAsync("unknown", first.AccessToken, CoreHarness.Native)).Error?.Code);
        Assert.Equal(CoreErrors.ExpiredTokenCode, (await _h.ClientSignIn.RefreshBoundAsync(first.RefreshToken, first.AccessToken, CoreHarness.Native)).Error?.Code);
        Assert.Equal(SessionEndReasons.RefreshTokenReuse, _h.SessionRow(first.SessionId)!.EndReason);
    }

    [Fact]
    public async Task A_refresh_token_of_a_client_sign_in_is_refused_without_its_access_token_on_any_surface_and_stays_usable()
    {
        var (user, client) = await AllowedUserAsync();
        var pair = await _h.ClientSignIn.StartSessionAsync(user, client, CoreHarness.Native);

        // Finding 4 of issue 19: the rules follow the session, not the endpoint it reaches.
        Assert.Equal(CoreErrors.InvalidTokenCode, (await _h.RefreshAsync(pair.RefreshToken)).Error?.Code);
        Assert.Equal(CoreErrors.InvalidTokenCode, (await _h.Sessions.RefreshAsync(pair.RefreshToken, CoreHarness.Native, clientId: client.ClientId)).Error?.Code);

        Assert.Null(_h.SessionRow(pair.SessionId)!.EndedAt);
        Assert.Equal(0, _h.SessionRow(pair.SessionId)!.Generation);
        Assert.True((await _h.ClientSignIn.RefreshBoundAsync(pair.RefreshToken, pair.AccessToken, CoreHarness.Native)).Succeeded);
    }

    [Fact]
    public async Task A_confidential_surface_client_s_refresh_token_needs_that_client_s_id_wherever_it_is_presented()
    {
        var registered = await _h.ClientSignIn.RegisterOnSurfaceClientAsync(Surface, new RegistrationRequest { Email = Email, Password = CoreHarness.Password }, new RegistrationMode(), CoreHarness.Native);
        var refresh = registered.Value.Tokens!.RefreshToken;

        Assert.Equal(RefreshRules.ClientId, _h.SessionRow(registered.Value.Tokens.SessionId)!.RefreshRules);
        Assert.Equal(CoreErrors.InvalidTokenCode, (await _h.RefreshAsync(refresh)).Error?.Code);
        Assert.Equal(CoreErrors.InvalidTokenCode, (await _h.Sessions.RefreshAsync(refresh, CoreHarness.Native, clientId: "795984050")).Error?.Code);
        Assert.True((await _h.Sessions.RefreshAsync(refresh, CoreHarness.Native, clientId: "surface-app")).Succeeded);
    }

    private static readonly SurfaceClient PublicSurface = new("public-app", "A public surface client", RotateRefreshTokens: false, Public: true);

    [Fact]
    public async Task A_public_surface_client_s_refresh_token_takes_any_client_id_and_the_id_presented_is_recorded()
    {
        var registered = await _h.ClientSignIn.RegisterOnSurfaceClientAsync(PublicSurface, new RegistrationRequest { Email = Email, Password = CoreHarness.Password }, new RegistrationMode(), CoreHarness.Native);
        var tokens = registered.Value.Tokens!;

        var refreshed = await _h.Sessions.RefreshAsync(tokens.RefreshToken, CoreHarness.Native, clientId: "795984050");

        Assert.True(refreshed.Succeeded, refreshed.Error?.ToString());
        Assert.True((await _h.Admin.GetClientAsync("public-app")).Value.IsPublic);
        Assert.Equal(RefreshRules.AnyClientId, _h.SessionRow(tokens.SessionId)!.RefreshRules);
        var recorded = Assert.Single(_h.AuditRows(AuditTypes.PublicClientIdPresented));
        Assert.Equal(("795984050", "public-app", registered.Value.User.Id), (recorded.Detail, recorded.ClientId, recorded.UserId));
        // Its own id is nothing to record; no id at all is no client at all.
        Assert.True((await _h.Sessions.RefreshAsync(tokens.RefreshToken, CoreHarness.Native, clientId: "public-app")).Succeeded);
        Assert.Single(_h.AuditRows(AuditTypes.PublicClientIdPresented));
        Assert.Equal(CoreErrors.InvalidTokenCode, (await _h.RefreshAsync(tokens.RefreshToken)).Error?.Code);
        Assert.Equal(CoreErrors.InvalidTokenCode, (await _h.Sessions.RefreshAsync(tokens.RefreshToken, CoreHarness.Native, clientId: "")).Error?.Code);
    }

    [Fact]
    public async Task A_refresh_token_is_checked_against_its_session()
    {
        var (user, client) = await AllowedUserAsync();
        var pair = await _h.ClientSignIn.StartSessionAsync(user, client, CoreHarness.Native);
        var other = await _h.ClientSignIn.StartSessionAsync(user, client, CoreHarness.Native);

        Assert.True((await _h.ClientSignIn.CheckRefreshTokenAsync(pair.RefreshToken, pair.SessionId)).Succeeded);
        Assert.Equal(CoreErrors.InvalidTokenCode, (await _h.ClientSignIn.CheckRefreshTokenAsync(pair.RefreshToken, other.SessionId)).Error?.Code);
        Assert.Equal(CoreErrors.ExpiredTokenCode, (await _h.ClientSignIn.CheckRefreshTokenAsync("unknown", pair.SessionId)).Error?.Code);
        await _h.ClientSignIn.RefreshBoundAsync(pair.RefreshToken, pair.AccessToken, CoreHarness.Native);
        Assert.Equal(CoreErrors.ExpiredTokenCode, (await _h.ClientSignIn.CheckRefreshTokenAsync(pair.RefreshToken, pair.SessionId)).Error?.Code);
    }

    [Fact]
    public async Task The_profile_shows_the_clients_a_user_may_use_and_the_current_one()
    {
        var (user, _) = await AllowedUserAsync();
        await _h.CreateClientAsync("second", Secret);
        await _h.CreateClientAsync("gone", Secret);
        await _h.ClientSignIn.AllowAsync(user.Id, "second", CoreHarness.Native);
        await _h.ClientSignIn.AllowAsync(user.Id, "gone", CoreHarness.Native);
        await _h.Admin.DeleteClientAsync("gone", "usr_admin", CoreHarness.Native);

        var profile = (await _h.ClientSignIn.ProfileAsync(user.Id, "second")).Value;

        Assert.Equal(user.Id, profile.User.Id);
        Assert.Equal(["app", "second"], profile.AllowedClients.Select(c => c.ClientId));
        Assert.Equal("second", profile.CurrentClient!.ClientId);
    }

    [Fact]
    public async Task The_profile_reads_the_user_s_own_writes_at_once_through_the_cache()
    {
        var (user, _) = await AllowedUserAsync();
        Assert.Null((await _h.ClientSignIn.ProfileAsync(user.Id, null)).Value.User.FirstName);

        await _h.Accounts.UpdateProfileAsync(user.Id, new ProfileUpdate { FirstName = "Ada" }, CoreHarness.Native);

        Assert.Equal("Ada", (await _h.ClientSignIn.ProfileAsync(user.Id, null)).Value.User.FirstName);
    }

    [Fact]
    public async Task A_reset_through_a_client_needs_the_client_a_known_user_and_an_email()
    {
        await _h.CreateClientAsync("app", Secret);
        await _h.RegisterAsync(Email);
        await _h.Accounts.RegisterAsync(new RegistrationRequest { Username = "nomail", Password = CoreHarness.Password }, RegistrationMode.SelfService, CoreHarness.Native);

        Assert.Equal(CoreErrors.InvalidClientCode, (await _h.ClientSignIn.RequestPasswordResetAsync("app", Secret + "!", Email, null, CoreHarness.Native)).Error?.Code);
        Assert.Empty(_h.MailTo(Email));
        Assert.Equal(CoreErrors.InvalidCredentialsCode, (await _h.ClientSignIn.RequestPasswordResetAsync("app", Secret, "nobody", null, CoreHarness.Native)).Error?.Code);
        Assert.Equal(["required"], (await _h.ClientSignIn.RequestPasswordResetAsync("app", Secret, "nomail", null, CoreHarness.Native)).Error!.Fields["email"]);

        Assert.Equal(Email, (await _h.ClientSignIn.RequestPasswordResetAsync("app", Secret, Email, null, CoreHarness.Native)).Value.Email);
        Assert.Single(_h.MailTo(Email));
    }

    [Fact]
    public async Task A_reset_completed_through_a_client_is_refused_for_a_wrong_client_without_using_the_token()
    {
        await _h.CreateClientAsync("app", Secret);
        await _h.RegisterAsync(Email);
        await _h.ClientSignIn.RequestPasswordResetAsync("app", Secret, Email, "{base}/reset?token={token}", CoreHarness.Native);
        var token = _h.TokenMailedTo(Email);

        Assert.Equal(CoreErrors.InvalidClientCode, (await _h.ClientSignIn.ResetPasswordAsync("app", "wrong", token, "a brand new passphrase", CoreHarness.Native)).Error?.Code);
        Assert.True((await _h.ClientSignIn.ResetPasswordAsync("app", Secret, token, "a brand new passphrase", CoreHarness.Native)).Succeeded);
        Assert.True((await _h.SignIn.SignInAsync(Email, "a brand new passphrase", CoreHarness.Native)).Succeeded);
    }

    [Fact]
    public async Task A_sign_in_through_a_wrong_client_is_refused_before_the_password_is_checked()
    {
        var (user, _) = await AllowedUserAsync();

        var refused = await _h.ClientSignIn.VerifyAsync("app", "not the secret", Email, "a wrong password", CoreHarness.Native);

        Assert.Equal(CoreErrors.InvalidClientCode, refused.Error?.Code);
        Assert.Equal(0, _h.UserRow(user.Id)!.FailedSignIns);
        Assert.Equal(user.Id, (await _h.ClientSignIn.VerifyAsync("app", Secret, Email, CoreHarness.Password, CoreHarness.Native)).Value.User.Id);
    }

    private static AccessTokenClaims Claims(params string[] roles) =>
        new("usr_caller", 1, "ses_caller", 0, AccessTokenAudiences.FirstParty, Surfaces.Native, roles, null, false, "jti", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddMinutes(15));

    [Fact]
    public async Task Only_an_administrator_or_a_trusted_service_with_its_secret_may_manage_cached_otps()
    {
        await _h.CreateClientAsync("sms-gateway", Secret);
        await _h.CreateClientAsync("other-app", Secret);
        var trusted = new HashSet<string>(["sms-gateway"]);

        Assert.Equal("usr_caller", (await _h.ClientSignIn.AuthorizeOtpCallerAsync(Claims(KnownRoles.Admin), null, trusted)).Value);
        Assert.Equal(CoreErrors.ForbiddenCode, (await _h.ClientSignIn.AuthorizeOtpCallerAsync(Claims(), null, trusted)).Error?.Code);
        Assert.Equal(CoreErrors.ForbiddenCode, (await _h.ClientSignIn.AuthorizeOtpCallerAsync(null, null, trusted)).Error?.Code);

        Assert.Equal("client:sms-gateway", (await _h.ClientSignIn.AuthorizeOtpCallerAsync(null, new ClientCredentials("sms-gateway", Secret), trusted)).Value);
        Assert.Equal(CoreErrors.InvalidClientCode, (await _h.ClientSignIn.AuthorizeOtpCallerAsync(null, new ClientCredentials("sms-gateway", "wrong"), trusted)).Error?.Code);
        // A client that is not on the list is refused even with its right secret.
        Assert.Equal(CoreErrors.ForbiddenCode, (await _h.ClientSignIn.AuthorizeOtpCallerAsync(null, new ClientCredentials("other-app", Secret), trusted)).Error?.Code);
    }

    private static readonly SurfaceClient Surface = new("surface-app", "A surface's client", RotateRefreshTokens: false, Public: false);

    [Fact]
    public async Task A_registration_on_a_surface_client_creates_it_non_rotating_and_starts_a_session_on_it()
    {
        var registered = await _h.ClientSignIn.RegisterOnSurfaceClientAsync(Surface, new RegistrationRequest { Email = Email, Password = CoreHarness.Password }, new RegistrationMode(), CoreHarness.Native);

        var client = (await _h.Admin.GetClientAsync("surface-app")).Value;
        Assert.False(client.RotateRefreshTokens);
        Assert.Equal("surface-app", _h.SessionRow(registered.Value.Tokens!.SessionId)!.ClientId);
        var refreshed = await _h.Sessions.RefreshAsync(registered.Value.Tokens.RefreshToken, CoreHarness.Native, clientId: "surface-app");
        Assert.Equal(registered.Value.Tokens.RefreshToken, refreshed.Value.RefreshToken);
    }

    [Fact]
    public async Task The_next_registration_on_a_surface_client_undoes_an_administrator_turning_its_rotation_on()
    {
        await _h.ClientSignIn.RegisterOnSurfaceClientAsync(Surface, new RegistrationRequest { Email = Email, Password = CoreHarness.Password }, new RegistrationMode(), CoreHarness.Native);
        await _h.Admin.UpdateClientAsync("surface-app", new Gatehouse.Core.Admin.ClientChange { RotateRefreshTokens = true }, "usr_admin", CoreHarness.Native);

        await _h.ClientSignIn.RegisterOnSurfaceClientAsync(Surface, new RegistrationRequest { Email = "grace@example.com", Password = CoreHarness.Password }, new RegistrationMode(), CoreHarness.Native);

        Assert.False((await _h.Admin.GetClientAsync("surface-app")).Value.RotateRefreshTokens);
    }

    [Fact]
    public async Task A_deleted_surface_client_stops_registration_through_it_and_creates_no_account()
    {
        await _h.ClientSignIn.RegisterOnSurfaceClientAsync(Surface, new RegistrationRequest { Email = Email, Password = CoreHarness.Password }, new RegistrationMode(), CoreHarness.Native);
        await _h.Admin.DeleteClientAsync("surface-app", "usr_admin", CoreHarness.Native);

        var refused = await _h.ClientSignIn.RegisterOnSurfaceClientAsync(Surface, new RegistrationRequest { Email = "grace@example.com", Password = CoreHarness.Password }, new RegistrationMode(), CoreHarness.Native);

        Assert.Equal(CoreErrors.InvalidClientCode, refused.Error?.Code);
        Assert.Equal(CoreErrors.InvalidCredentialsCode, (await _h.SignIn.SignInAsync("grace@example.com", CoreHarness.Password, CoreHarness.Native)).Error?.Code);
    }
}
