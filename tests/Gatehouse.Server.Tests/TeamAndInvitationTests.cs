using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests;

public sealed class TeamAndInvitationTests(GatehouseFactory factory) : IClassFixture<GatehouseFactory>
{
    private readonly NativeClient _api = factory.Native();

    private async Task<string> AdminTokenAsync()
    {
        var (email, password) = await factory.CreateAdminAsync();
        return (await _api.SignInAsync(email, password)).AccessToken;
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>();

    [Fact]
    public async Task An_admin_creates_a_team_adds_and_removes_members_and_deletes_it()
    {
        var admin = await AdminTokenAsync();
        var created = await _api.SendAsync(HttpMethod.Post, "/api/v1/admin/teams", admin, new { name = "Blue" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var teamId = (await JsonAsync(created)).GetProperty("id").GetString();

        var email = Emails.New();
        var userId = (await _api.RegisterAsync(email)).GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Put, $"/api/v1/admin/teams/{teamId}/members/{userId}", admin, new { role = "owner" })).StatusCode);
        var team = await JsonAsync(await _api.SendAsync(HttpMethod.Get, $"/api/v1/admin/teams/{teamId}", admin));
        var member = Assert.Single(team.GetProperty("members").EnumerateArray());
        Assert.Equal(userId, member.GetProperty("userId").GetString());
        Assert.Equal("owner", member.GetProperty("role").GetString());

        Assert.Equal(HttpStatusCode.BadRequest, (await _api.SendAsync(HttpMethod.Put, $"/api/v1/admin/teams/{teamId}/members/{userId}", admin, new { role = "emperor" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _api.SendAsync(HttpMethod.Put, $"/api/v1/admin/teams/{teamId}/members/usr_nobody", admin, new { role = "member" })).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await _api.SendAsync(HttpMethod.Delete, $"/api/v1/admin/teams/{teamId}/members/{userId}", admin)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _api.SendAsync(HttpMethod.Delete, $"/api/v1/admin/teams/{teamId}/members/{userId}", admin)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _api.SendAsync(HttpMethod.Delete, $"/api/v1/admin/teams/{teamId}", admin)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _api.SendAsync(HttpMethod.Get, $"/api/v1/admin/teams/{teamId}", admin)).StatusCode);
    }

    [Fact]
    public async Task An_invitation_is_emailed_and_accepting_it_once_activates_the_account_in_the_team()
    {
        var admin = await AdminTokenAsync();
        var teamId = (await JsonAsync(await _api.SendAsync(HttpMethod.Post, "/api/v1/admin/teams", admin, new { name = "Green" }))).GetProperty("id").GetString();
        var email = Emails.New("invited");
        var invited = await _api.SendAsync(HttpMethod.Post, "/api/v1/admin/invitations", admin, new { email, firstName = "Ivy", teamId });
        Assert.Equal(HttpStatusCode.Created, invited.StatusCode);
        var userId = (await JsonAsync(invited)).GetProperty("userId").GetString();

        // Pending: no password yet, so no sign-in.
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.PostAsync("/api/v1/account/sign-in", new { login = email, password = NativeClient.Password })).StatusCode);

        var mail = await MailDev.WaitForAsync(email, "invited");
        Assert.StartsWith(GatehouseFactory.PublicBaseUrl + "/account/accept-invitation?token=", mail.Link, StringComparison.Ordinal);
        var accepted = await _api.PostAsync("/api/v1/account/invitation/accept", new { token = mail.Token, password = NativeClient.Password, lastName = "Green" });
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var user = await JsonAsync(accepted);
        Assert.True(user.GetProperty("emailConfirmed").GetBoolean());
        Assert.Equal("Ivy", user.GetProperty("firstName").GetString());
        Assert.Equal("active", user.GetProperty("status").GetString());

        var again = await _api.PostAsync("/api/v1/account/invitation/accept", new { token = mail.Token, password = "another passphrase here" });
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);

        await _api.SignInAsync(email);
        var team = await JsonAsync(await _api.SendAsync(HttpMethod.Get, $"/api/v1/admin/teams/{teamId}", admin));
        Assert.Contains(team.GetProperty("members").EnumerateArray(), m => m.GetProperty("userId").GetString() == userId);
    }

    [Fact]
    public async Task Inviting_an_email_that_already_has_an_account_is_a_conflict()
    {
        var admin = await AdminTokenAsync();
        var email = Emails.New();
        await _api.RegisterAsync(email);
        var invited = await _api.SendAsync(HttpMethod.Post, "/api/v1/admin/invitations", admin, new { email });
        Assert.Equal("email_taken", await NativeClient.ProblemCodeAsync(invited));
    }

    [Fact]
    public async Task An_expired_invitation_is_refused()
    {
        var admin = await AdminTokenAsync();
        var email = Emails.New("late");
        await _api.SendAsync(HttpMethod.Post, "/api/v1/admin/invitations", admin, new { email });
        var mail = await MailDev.WaitForAsync(email, "invited");
        factory.Clock.Advance(TimeSpan.FromDays(8));
        var accepted = await _api.PostAsync("/api/v1/account/invitation/accept", new { token = mail.Token, password = NativeClient.Password });
        Assert.Equal("expired_token", await NativeClient.ProblemCodeAsync(accepted));
    }
}
