using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests;

public sealed class AccountFlowTests(GatehouseFactory factory) : IClassFixture<GatehouseFactory>
{
    private readonly NativeClient _api = factory.Native();

    [Fact]
    public async Task A_new_user_confirms_the_email_from_the_real_smtp_server_and_signs_in()
    {
        var email = Emails.New();
        var user = await _api.RegisterAsync(email);
        Assert.False(user.GetProperty("emailConfirmed").GetBoolean());

        var mail = await MailDev.WaitForAsync(email, "Confirm your email");
        Assert.StartsWith(GatehouseFactory.PublicBaseUrl + "/account/confirm-email?token=", mail.Link, StringComparison.Ordinal);
        Assert.Contains(mail.Link, mail.Html, StringComparison.Ordinal);

        var confirmed = await _api.PostAsync("/api/v1/account/email/confirm", new { token = mail.Token });
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.True((await confirmed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("emailConfirmed").GetBoolean());

        var again = await _api.PostAsync("/api/v1/account/email/confirm", new { token = mail.Token });
        Assert.Equal("used_token", await NativeClient.ProblemCodeAsync(again));

        var tokens = await _api.SignInAsync(email.ToUpperInvariant());
        var me = await _api.MeAsync(tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        var body = await me.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(email, body.GetProperty("email").GetString());
        Assert.True(body.GetProperty("emailConfirmed").GetBoolean());
        Assert.True(body.GetProperty("number").GetInt64() > 0);
    }

    [Fact]
    public async Task Refresh_rotates_the_token_and_replaying_the_old_one_after_the_grace_ends_the_session()
    {
        var email = Emails.New();
        await _api.RegisterAsync(email);
        var first = await _api.SignInAsync(email);

        var refreshed = await _api.RefreshAsync(first.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var second = await NativeClient.ReadTokensAsync(refreshed);
        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
        Assert.Equal(first.SessionId, second.SessionId);

        // The superseded access token stops working at once; the new one works.
        Assert.Equal("token_revoked", await NativeClient.ProblemCodeAsync(await _api.MeAsync(first.AccessToken)));
        Assert.Equal(HttpStatusCode.OK, (await _api.MeAsync(second.AccessToken)).StatusCode);

        // RFC 9700 section 4.14.2: past the grace, the old refresh token is refused and ends the session.
        factory.Clock.Advance(TimeSpan.FromSeconds(11));
        var replay = await _api.RefreshAsync(first.RefreshToken);
        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.Equal("session_ended", await NativeClient.ProblemCodeAsync(replay));

        Assert.Equal("token_revoked", await NativeClient.ProblemCodeAsync(await _api.MeAsync(second.AccessToken)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.RefreshAsync(second.RefreshToken)).StatusCode);
    }

    // Issue 19 finding 3 changed this on purpose: the two used to get two different refresh
    // tokens (two chains); both now get the one successor, so the session cannot fork.
    [Fact]
    public async Task Two_concurrent_refreshes_with_one_token_inside_the_grace_both_keep_working_on_one_successor()
    {
        var email = Emails.New();
        await _api.RegisterAsync(email);
        var first = await _api.SignInAsync(email);

        var responses = await Task.WhenAll(_api.RefreshAsync(first.RefreshToken), _api.RefreshAsync(first.RefreshToken));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var pairs = await Task.WhenAll(responses.Select(NativeClient.ReadTokensAsync));
        Assert.Equal(pairs[0].RefreshToken, pairs[1].RefreshToken);
        foreach (var pair in pairs)
        {
            Assert.Equal(HttpStatusCode.OK, (await _api.MeAsync(pair.AccessToken)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await _api.RefreshAsync(pairs[1].RefreshToken)).StatusCode);
        // The successor was used: the old token, even within the grace, is now two behind.
        Assert.Equal("session_ended", await NativeClient.ProblemCodeAsync(await _api.RefreshAsync(first.RefreshToken)));
    }

    [Fact]
    public async Task A_replay_within_the_grace_gets_the_same_successor_and_after_the_grace_ends_the_session()
    {
        var email = Emails.New();
        await _api.RegisterAsync(email);
        var first = await _api.SignInAsync(email);
        var second = await NativeClient.ReadTokensAsync(await _api.RefreshAsync(first.RefreshToken));

        factory.Clock.Advance(TimeSpan.FromSeconds(5));
        var replayed = await NativeClient.ReadTokensAsync(await _api.RefreshAsync(first.RefreshToken));
        var again = await NativeClient.ReadTokensAsync(await _api.RefreshAsync(first.RefreshToken));

        Assert.Equal(second.RefreshToken, replayed.RefreshToken);
        Assert.Equal(second.RefreshToken, again.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, (await _api.MeAsync(second.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _api.MeAsync(replayed.AccessToken)).StatusCode);

        factory.Clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal("session_ended", await NativeClient.ProblemCodeAsync(await _api.RefreshAsync(first.RefreshToken)));
        Assert.Equal("token_revoked", await NativeClient.ProblemCodeAsync(await _api.MeAsync(replayed.AccessToken)));
    }

    [Fact]
    public async Task Many_sessions_refreshed_at_once_each_rotate_and_their_old_tokens_are_then_refused()
    {
        // Concurrent rotations are written together (group commit on SQLite); each must still
        // stand or fall on its own.
        var sessions = new List<NativeClient.Tokens>();
        for (var i = 0; i < 12; i++)
        {
            var email = Emails.New();
            await _api.RegisterAsync(email);
            sessions.Add(await _api.SignInAsync(email));
        }

        var responses = await Task.WhenAll(sessions.Select(s => _api.RefreshAsync(s.RefreshToken)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var refreshed = await Task.WhenAll(responses.Select(NativeClient.ReadTokensAsync));
        Assert.Equal(sessions.Select(s => s.SessionId), refreshed.Select(r => r.SessionId));
        foreach (var pair in refreshed)
        {
            Assert.Equal(HttpStatusCode.OK, (await _api.MeAsync(pair.AccessToken)).StatusCode);
        }
        factory.Clock.Advance(TimeSpan.FromSeconds(11));
        foreach (var old in sessions)
        {
            Assert.Equal("session_ended", await NativeClient.ProblemCodeAsync(await _api.RefreshAsync(old.RefreshToken)));
        }
    }

    [Fact]
    public async Task Sign_out_makes_the_access_and_refresh_tokens_useless_at_once()
    {
        var email = Emails.New();
        await _api.RegisterAsync(email);
        var tokens = await _api.SignInAsync(email);

        var signOut = await _api.SendAsync(HttpMethod.Post, "/api/v1/account/sign-out", tokens.AccessToken);
        Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);

        var me = await _api.MeAsync(tokens.AccessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
        Assert.Equal("token_revoked", await NativeClient.ProblemCodeAsync(me));
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.RefreshAsync(tokens.RefreshToken)).StatusCode);
    }

    [Fact]
    public async Task An_access_token_is_refused_once_it_expires()
    {
        var email = Emails.New();
        await _api.RegisterAsync(email);
        var tokens = await _api.SignInAsync(email);
        Assert.InRange(tokens.ExpiresIn, 800, 900);

        factory.Clock.Advance(TimeSpan.FromMinutes(16));
        var me = await _api.MeAsync(tokens.AccessToken);
        Assert.Equal("token_expired", await NativeClient.ProblemCodeAsync(me));
        Assert.Equal("Bearer error=\"invalid_token\"", me.Headers.WwwAuthenticate.ToString());

        // The refresh token still outlives it.
        Assert.Equal(HttpStatusCode.OK, (await _api.RefreshAsync(tokens.RefreshToken)).StatusCode);
    }

    [Fact]
    public async Task A_tampered_or_foreign_access_token_is_invalid()
    {
        var email = Emails.New();
        await _api.RegisterAsync(email);
        var tokens = await _api.SignInAsync(email);
        var parts = tokens.AccessToken.Split('.');
        var tampered = parts[0] + "." + parts[1].Replace('A', 'B') + "." + parts[2];
        Assert.Equal("token_invalid", await NativeClient.ProblemCodeAsync(await _api.MeAsync(tampered)));
        Assert.Equal("token_invalid", await NativeClient.ProblemCodeAsync(await _api.MeAsync("not-a-jwt")));
        Assert.Equal("token_missing", await NativeClient.ProblemCodeAsync(await _api.MeAsync(null!)));
    }

    [Fact]
    public async Task Signing_in_with_a_wrong_password_and_as_an_unknown_user_fail_alike()
    {
        var email = Emails.New();
        await _api.RegisterAsync(email);
        var wrong = await _api.PostAsync("/api/v1/account/sign-in", new { login = email, password = "not the password at all" });
        var unknown = await _api.PostAsync("/api/v1/account/sign-in", new { login = Emails.New(), password = "not the password at all" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        var a = await wrong.Content.ReadFromJsonAsync<JsonElement>();
        var b = await unknown.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(a.GetProperty("code").GetString(), b.GetProperty("code").GetString());
        Assert.Equal(a.GetProperty("detail").GetString(), b.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Repeated_failures_on_one_account_impose_a_growing_delay()
    {
        var email = Emails.New();
        await _api.RegisterAsync(email);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await _api.PostAsync("/api/v1/account/sign-in", new { login = email, password = "wrong password " + i })).StatusCode);
        }
        // The sixth failure starts a delay; during it even the right password is turned away, with
        // the answer of a wrong one (a locked account must not tell that it exists).
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.PostAsync("/api/v1/account/sign-in", new { login = email, password = "wrong password 6" })).StatusCode);
        var locked = await _api.PostAsync("/api/v1/account/sign-in", new { login = email, password = NativeClient.Password });
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        Assert.Equal("invalid_credentials", await NativeClient.ProblemCodeAsync(locked));

        factory.Clock.Advance(TimeSpan.FromSeconds(2));
        await _api.SignInAsync(email);
    }

    [Fact]
    public async Task Registering_an_email_twice_in_any_case_is_a_conflict()
    {
        var email = Emails.New();
        await _api.RegisterAsync(email);
        var again = await _api.PostAsync("/api/v1/account/register", new { email = email.ToUpperInvariant(), password = NativeClient.Password });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("email_taken", await NativeClient.ProblemCodeAsync(again));
    }

    [Fact]
    public async Task Concurrent_registrations_of_one_email_create_exactly_one_account()
    {
        var email = Emails.New();
        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => _api.PostAsync("/api/v1/account/register", new { email, password = NativeClient.Password })));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
    }

    [Fact]
    public async Task A_common_or_short_password_is_refused_with_the_rules_it_breaks()
    {
        var common = await _api.PostAsync("/api/v1/account/register", new { email = Emails.New(), password = "password1" });
        var json = await common.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.BadRequest, common.StatusCode);
        Assert.Equal("too_common", json.GetProperty("errors").GetProperty("password")[0].GetString());

        var shortOne = await _api.PostAsync("/api/v1/account/register", new { email = Emails.New(), password = "Zq9!x" });
        json = await shortOne.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("too_short", json.GetProperty("errors").GetProperty("password")[0].GetString());

        // 64 characters, no composition rules: accepted.
        var longOne = await _api.PostAsync("/api/v1/account/register", new { email = Emails.New(), password = new string('a', 60) + " b c" });
        Assert.Equal(HttpStatusCode.Created, longOne.StatusCode);
    }

    [Fact]
    public async Task The_profile_can_be_edited_and_absent_fields_stay_as_they_were()
    {
        var email = Emails.New();
        await _api.RegisterAsync(email);
        var tokens = await _api.SignInAsync(email);

        var first = await _api.SendAsync(HttpMethod.Patch, "/api/v1/account/me", tokens.AccessToken, new { firstName = "Ada", lastName = "Lovelace", birthDate = "1815-12-10", timezone = "Europe/London" });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var second = await _api.SendAsync(HttpMethod.Patch, "/api/v1/account/me", tokens.AccessToken, new { bio = "Analyst" });
        var json = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Ada", json.GetProperty("firstName").GetString());
        Assert.Equal("Analyst", json.GetProperty("bio").GetString());
        Assert.Equal("1815-12-10", json.GetProperty("birthDate").GetString());

        var badZone = await _api.SendAsync(HttpMethod.Patch, "/api/v1/account/me", tokens.AccessToken, new { timezone = "Mars/Olympus" });
        Assert.Equal(HttpStatusCode.BadRequest, badZone.StatusCode);
    }
}
