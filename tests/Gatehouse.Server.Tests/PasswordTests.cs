using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests;

public sealed class PasswordTests(GatehouseFactory factory) : IClassFixture<GatehouseFactory>
{
    private readonly NativeClient _api = factory.Native();

    [Fact]
    public async Task A_password_reset_link_works_once_and_ends_every_session()
    {
        var email = Emails.New();
        await _api.RegisterAsync(email);
        var phone = await _api.SignInAsync(email);
        var laptop = await _api.SignInAsync(email);

        var request = await _api.PostAsync("/api/v1/account/password/reset-request", new { login = email });
        Assert.Equal(HttpStatusCode.Accepted, request.StatusCode);
        var mail = await MailDev.WaitForAsync(email, "Reset your");
        Assert.StartsWith(GatehouseFactory.PublicBaseUrl + "/account/reset-password?token=", mail.Link, StringComparison.Ordinal);

        var reset = await _api.PostAsync("/api/v1/account/password/reset", new { token = mail.Token, newPassword = "a brand new passphrase" });
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);

        var replay = await _api.PostAsync("/api/v1/account/password/reset", new { token = mail.Token, newPassword = "yet another passphrase" });
        Assert.Equal("used_token", await NativeClient.ProblemCodeAsync(replay));

        Assert.Equal("token_revoked", await NativeClient.ProblemCodeAsync(await _api.MeAsync(phone.AccessToken)));
        Assert.Equal("token_revoked", await NativeClient.ProblemCodeAsync(await _api.MeAsync(laptop.AccessToken)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.RefreshAsync(laptop.RefreshToken)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.PostAsync("/api/v1/account/sign-in", new { login = email, password = NativeClient.Password })).StatusCode);
        await _api.SignInAsync(email, "a brand new passphrase");
        await MailDev.WaitForAsync(email, "password was changed");
    }

    [Fact]
    public async Task A_reset_request_for_an_unknown_login_answers_the_same_and_sends_nothing()
    {
        var nobody = Emails.New("nobody");
        var response = await _api.PostAsync("/api/v1/account/password/reset-request", new { login = nobody });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await Task.Delay(500);
        Assert.Empty(await MailDev.ForAsync(nobody));
    }

    [Fact]
    public async Task A_reset_link_expires_after_an_hour()
    {
        var email = Emails.New();
        await _api.RegisterAsync(email);
        await _api.PostAsync("/api/v1/account/password/reset-request", new { login = email });
        var mail = await MailDev.WaitForAsync(email, "Reset your");

        factory.Clock.Advance(TimeSpan.FromMinutes(61));
        var reset = await _api.PostAsync("/api/v1/account/password/reset", new { token = mail.Token, newPassword = "a brand new passphrase" });
        Assert.Equal("expired_token", await NativeClient.ProblemCodeAsync(reset));
        await _api.SignInAsync(email);
    }

    [Fact]
    public async Task A_newer_reset_link_voids_the_older_one()
    {
        var email = Emails.New();
        await _api.RegisterAsync(email);
        await _api.PostAsync("/api/v1/account/password/reset-request", new { login = email });
        var first = await MailDev.WaitForAsync(email, "Reset your");
        await _api.PostAsync("/api/v1/account/password/reset-request", new { login = email });
        var second = await MailDev.WaitForAsync(email, "Reset your", count: 2);

        Assert.Equal("used_token", await NativeClient.ProblemCodeAsync(await _api.PostAsync("/api/v1/account/password/reset", new { token = first.Token, newPassword = "a brand new passphrase" })));
        Assert.Equal(HttpStatusCode.NoContent, (await _api.PostAsync("/api/v1/account/password/reset", new { token = second.Token, newPassword = "a brand new passphrase" })).StatusCode);
    }

    [Fact]
    public async Task A_confirmation_token_does_not_reset_a_password()
    {
        var email = Emails.New();
        await _api.RegisterAsync(email);
        var confirmation = await MailDev.WaitForAsync(email, "Confirm your email");
        var reset = await _api.PostAsync("/api/v1/account/password/reset", new { token = confirmation.Token, newPassword = "a brand new passphrase" });
        Assert.Equal("invalid_token", await NativeClient.ProblemCodeAsync(reset));
    }

    [Fact]
    public async Task Changing_the_password_needs_the_current_one_and_ends_the_other_sessions_only()
    {
        var email = Emails.New();
        await _api.RegisterAsync(email);
        var current = await _api.SignInAsync(email);
        var other = await _api.SignInAsync(email);

        var wrong = await _api.SendAsync(HttpMethod.Post, "/api/v1/account/password/change", current.AccessToken, new { currentPassword = "not it at all", newPassword = "a brand new passphrase" });
        Assert.Equal("wrong_password", await NativeClient.ProblemCodeAsync(wrong));

        var same = await _api.SendAsync(HttpMethod.Post, "/api/v1/account/password/change", current.AccessToken, new { currentPassword = NativeClient.Password, newPassword = NativeClient.Password });
        Assert.Equal("same_password", await NativeClient.ProblemCodeAsync(same));

        var changed = await _api.SendAsync(HttpMethod.Post, "/api/v1/account/password/change", current.AccessToken, new { currentPassword = NativeClient.Password, newPassword = "a brand new passphrase" });
        Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await _api.MeAsync(current.AccessToken)).StatusCode);
        Assert.Equal("token_revoked", await NativeClient.ProblemCodeAsync(await _api.MeAsync(other.AccessToken)));
        await _api.SignInAsync(email, "a brand new passphrase");
    }

    [Fact]
    public async Task A_user_lists_their_sessions_and_ends_one_of_them()
    {
        var email = Emails.New();
        await _api.RegisterAsync(email);
        var mine = await _api.SignInAsync(email);
        var other = await _api.SignInAsync(email);

        var list = await (await _api.SendAsync(HttpMethod.Get, "/api/v1/account/sessions", mine.AccessToken)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, list.GetArrayLength());
        Assert.Single(list.EnumerateArray(), s => s.GetProperty("current").GetBoolean());

        Assert.Equal(HttpStatusCode.NoContent, (await _api.SendAsync(HttpMethod.Delete, $"/api/v1/account/sessions/{other.SessionId}", mine.AccessToken)).StatusCode);
        Assert.Equal("token_revoked", await NativeClient.ProblemCodeAsync(await _api.MeAsync(other.AccessToken)));

        // Someone else's session is not found, not ended.
        var stranger = Emails.New();
        await _api.RegisterAsync(stranger);
        var theirs = await _api.SignInAsync(stranger);
        Assert.Equal(HttpStatusCode.NotFound, (await _api.SendAsync(HttpMethod.Delete, $"/api/v1/account/sessions/{theirs.SessionId}", mine.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _api.MeAsync(theirs.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task One_account_is_sent_at_most_five_reset_emails_an_hour_while_the_answer_stays_the_same()
    {
        var email = Emails.New();
        await _api.RegisterAsync(email);
        for (var i = 0; i < 7; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await _api.PostAsync("/api/v1/account/password/reset-request", new { login = email })).StatusCode);
        }
        await MailDev.WaitForAsync(email, "Reset your", count: 5);
        await Task.Delay(700);
        Assert.Equal(5, (await MailDev.ForAsync(email)).Count(m => m.Subject.Contains("Reset your", StringComparison.Ordinal)));

        factory.Clock.Advance(TimeSpan.FromMinutes(61));
        await _api.PostAsync("/api/v1/account/password/reset-request", new { login = email });
        await MailDev.WaitForAsync(email, "Reset your", count: 6);
    }
}
