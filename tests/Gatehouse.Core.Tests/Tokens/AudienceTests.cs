using Gatehouse.Core.Accounts;
using Gatehouse.Core.Admin;
using Gatehouse.Core.Clients;
using Gatehouse.Core.Common;
using Gatehouse.Core.Sessions;
using Gatehouse.Core.Tests.Fakes;
using Gatehouse.Core.Tokens;

namespace Gatehouse.Core.Tests.Tokens;

/// <summary>Access tokens bound to an audience, and the policies the bearer check applies (issue 19, finding 1).</summary>
public sealed class AudienceTests
{
    private const string Email = "ada@example.com";
    private static readonly RequestContext Fittrackee = new("fittrackee", "203.0.113.7", "tests");
    private readonly CoreHarness _h = new();

    private async Task<AccessTokenClaims> ClaimsOfAsync(string token) => (await _h.AccessTokens.ReadAsync(token)).Claims!;

    private async Task<TokenPair> SignInAsync(RequestContext context, Client? client = null) =>
        (await _h.SignIn.SignInAsync(Email, CoreHarness.Password, context, client)).Value.Tokens;

    [Fact]
    public async Task A_token_carries_the_audience_of_its_session_and_keeps_it_through_refreshes()
    {
        await _h.RegisterAsync(Email);
        var client = await _h.CreateClientAsync("app");

        var native = await SignInAsync(CoreHarness.Native);
        var ofClient = await SignInAsync(CoreHarness.Native, client);
        var dialect = await SignInAsync(Fittrackee);

        Assert.Equal(AccessTokenAudiences.FirstParty, (await ClaimsOfAsync(native.AccessToken)).Audience);
        Assert.Equal("app", (await ClaimsOfAsync(ofClient.AccessToken)).Audience);
        Assert.Equal("gatehouse:fittrackee", (await ClaimsOfAsync(dialect.AccessToken)).Audience);
        // Wherever the refresh token is presented, the new token is still the session's.
        var refreshed = (await _h.RefreshAsync(dialect.RefreshToken)).Value;
        Assert.Equal("gatehouse:fittrackee", (await ClaimsOfAsync(refreshed.AccessToken)).Audience);
        Assert.Equal("app", (await ClaimsOfAsync((await _h.RefreshAsync(ofClient.RefreshToken)).Value.AccessToken)).Audience);
    }

    [Fact]
    public async Task A_first_party_route_refuses_a_client_s_token_even_when_its_user_is_an_administrator()
    {
        var user = await _h.RegisterAsync(Email);
        await _h.Admin.SetRolesAsync(user.Id, [KnownRoles.Admin], "usr_admin", CoreHarness.Native);
        var ofClient = await SignInAsync(CoreHarness.Native, await _h.CreateClientAsync("app"));
        var native = await SignInAsync(CoreHarness.Native);

        var refused = await _h.Bearer.AuthenticateAsync(ofClient.AccessToken, AudiencePolicy.FirstParty);

        Assert.Equal(BearerStatus.WrongAudience, refused.Status);
        Assert.Null(refused.Claims);
        Assert.False(AccessTokenAudiences.GrantsAdministration(await ClaimsOfAsync(ofClient.AccessToken)));
        Assert.Equal(BearerStatus.Valid, (await _h.Bearer.AuthenticateAsync(native.AccessToken, AudiencePolicy.FirstParty)).Status);
        Assert.True(AccessTokenAudiences.GrantsAdministration(await ClaimsOfAsync(native.AccessToken)));
    }

    [Fact]
    public async Task A_surface_accepts_its_own_tokens_and_refuses_another_surface_s()
    {
        await _h.RegisterAsync(Email);
        var dialect = await SignInAsync(Fittrackee);
        var arcClient = await SignInAsync(new RequestContext("arc"), await _h.CreateClientAsync("app"));

        Assert.Equal(BearerStatus.Valid, (await _h.Bearer.AuthenticateAsync(dialect.AccessToken, AudiencePolicy.OwnTokensOf("fittrackee"))).Status);
        Assert.Equal(BearerStatus.WrongAudience, (await _h.Bearer.AuthenticateAsync(dialect.AccessToken, AudiencePolicy.OwnTokensOf("arc"))).Status);
        Assert.Equal(BearerStatus.WrongAudience, (await _h.Bearer.AuthenticateAsync(dialect.AccessToken, AudiencePolicy.FirstParty)).Status);
        Assert.Equal(BearerStatus.Valid, (await _h.Bearer.AuthenticateAsync(arcClient.AccessToken, AudiencePolicy.OwnTokensOf("arc"))).Status);
        Assert.Equal(BearerStatus.WrongAudience, (await _h.Bearer.AuthenticateAsync(arcClient.AccessToken, AudiencePolicy.OwnTokensOf("fittrackee"))).Status);
        // The shared GET /auth/me of CONTRACTS.md takes every token Gatehouse issued.
        Assert.Equal(BearerStatus.Valid, (await _h.Bearer.AuthenticateAsync(dialect.AccessToken, AudiencePolicy.Any)).Status);
        Assert.Equal(BearerStatus.Valid, (await _h.Bearer.AuthenticateAsync(arcClient.AccessToken, AudiencePolicy.Any)).Status);
    }

    [Fact]
    public async Task A_surface_that_also_takes_first_party_tokens_still_refuses_another_surface_s()
    {
        await _h.RegisterAsync(Email);
        var policy = AudiencePolicy.OwnTokensOf("keymetrics", andFirstParty: true);

        Assert.Equal(BearerStatus.Valid, (await _h.Bearer.AuthenticateAsync((await SignInAsync(CoreHarness.Native)).AccessToken, policy)).Status);
        Assert.Equal(BearerStatus.WrongAudience, (await _h.Bearer.AuthenticateAsync((await SignInAsync(Fittrackee)).AccessToken, policy)).Status);
    }

    [Fact]
    public async Task A_token_of_a_client_session_started_on_a_first_party_surface_is_not_first_party()
    {
        await _h.RegisterAsync(Email);
        var ofClient = await SignInAsync(CoreHarness.Native, await _h.CreateClientAsync("app"));

        Assert.Equal(BearerStatus.WrongAudience, (await _h.Bearer.AuthenticateAsync(ofClient.AccessToken, AudiencePolicy.FirstParty)).Status);
        Assert.Equal(BearerStatus.WrongAudience, (await _h.Bearer.AuthenticateAsync(ofClient.AccessToken, AudiencePolicy.OwnTokensOf("fittrackee"))).Status);
    }

    [Theory]
    [InlineData("gatehouse")]
    [InlineData("Gatehouse")]
    [InlineData("gatehouse:fittrackee")]
    public async Task A_client_id_that_names_one_of_gatehouse_s_own_audiences_is_refused(string clientId)
    {
        var refused = await _h.Admin.CreateClientAsync(new ClientChange { ClientId = clientId }, "usr_admin", CoreHarness.Native);

        Assert.Equal(["reserved"], refused.Error!.Fields["clientId"]);
    }

    [Fact]
    public async Task A_client_id_that_only_starts_like_gatehouse_is_allowed() =>
        Assert.True((await _h.Admin.CreateClientAsync(new ClientChange { ClientId = "gatehouse-app" }, "usr_admin", CoreHarness.Native)).Succeeded);

    [Fact]
    public async Task A_token_for_another_audience_is_refused_before_its_session_is_read()
    {
        await _h.RegisterAsync(Email);
        var dialect = await SignInAsync(Fittrackee);
        var reads = _h.StateReader.Reads;

        await _h.Bearer.AuthenticateAsync(dialect.AccessToken, AudiencePolicy.FirstParty);

        Assert.Equal(reads, _h.StateReader.Reads);
    }
}
