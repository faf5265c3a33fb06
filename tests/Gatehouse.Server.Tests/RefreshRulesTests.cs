using System.Net;
using Gatehouse.Server.Tests.Dialects.Arc;
using Gatehouse.Server.Tests.Dialects.Keymetrics;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests;

/// <summary>
/// Issue 19 finding 4: a refresh token is redeemable only under the rules of the session that
/// issued it, whichever surface it is presented to.
/// </summary>
public sealed class RefreshRulesTests(GatehouseFactory factory) : IClassFixture<GatehouseFactory>
{
    private readonly NativeClient _native = factory.Native();
    private readonly ArcApi _arc = new(factory);
    private readonly KeymetricsClient _km = new(factory.CreateClient());

    [Fact]
    public async Task An_arc_refresh_token_needs_its_access_token_on_the_native_refresh_and_on_keymetrics_too()
    {
        var client = await _arc.CreateClientAsync();
        var tokens = await _arc.LoginTokenAsync(client, await _arc.UserOnClientAsync(client));

        var native = await _native.RefreshAsync(tokens.RefreshToken);
        Assert.Equal(HttpStatusCode.Unauthorized, native.StatusCode);
        Assert.Equal("invalid_token", await NativeClient.ProblemCodeAsync(native));
        Assert.Equal("invalid_grant", await KeymetricsClient.OAuthErrorAsync(await _km.RefreshAsync(tokens.RefreshToken, client.ClientId)));

        // Refused as presented, not as a reuse: the session and its tokens are as they were.
        Assert.Equal(HttpStatusCode.OK, (await _arc.MeAsync(tokens.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _arc.RefreshAsync(tokens.RefreshToken, tokens.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task A_keymetrics_refresh_token_needs_a_client_id_so_the_native_refresh_refuses_it()
    {
        var registered = await _km.RegisterAsync();

        var native = await _native.RefreshAsync(registered.RefreshToken);
        Assert.Equal(HttpStatusCode.Unauthorized, native.StatusCode);
        Assert.Equal("invalid_token", await NativeClient.ProblemCodeAsync(native));
        var arc = await _arc.RefreshAsync(registered.RefreshToken, registered.AccessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, arc.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await _km.RefreshAsync(registered.RefreshToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _km.PostAsync("/send_email_link", bearer: registered.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task A_native_refresh_token_is_refused_where_a_client_id_is_presented_and_still_refreshes_natively()
    {
        var email = Emails.New();
        await _native.RegisterAsync(email);
        var tokens = await _native.SignInAsync(email);

        Assert.Equal("invalid_grant", await KeymetricsClient.OAuthErrorAsync(await _km.RefreshAsync(tokens.RefreshToken, "795984050")));

        Assert.Equal(HttpStatusCode.OK, (await _native.RefreshAsync(tokens.RefreshToken)).StatusCode);
    }
}
