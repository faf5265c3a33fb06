using Gatehouse.Core.Admin;
using Gatehouse.Core.Clients;
using Gatehouse.Core.Common;
using Gatehouse.Core.Tests.Fakes;

namespace Gatehouse.Core.Tests.Admin;

/// <summary>Per-client lifetimes are bounded by Gatehouse:Tokens:Maximum…Lifetime (issue 19, finding 5).</summary>
public sealed class ClientLifetimeCapTests
{
    private const string Actor = "usr_admin";

    private readonly CoreHarness _h = new(o =>
    {
        o.Tokens.MaximumAccessTokenLifetime = TimeSpan.FromHours(1);
        o.Tokens.MaximumRefreshTokenLifetime = TimeSpan.FromDays(7);
        o.Tokens.MaximumAuthorizationCodeLifetime = TimeSpan.FromMinutes(5);
    });

    public static TheoryData<string, ClientChange> AboveTheCap => new()
    {
        { "accessTokenLifetimeSeconds", new ClientChange { AccessTokenLifetimeSeconds = 3601 } },
        { "refreshTokenLifetimeSeconds", new ClientChange { RefreshTokenLifetimeSeconds = 7 * 86400 + 1 } },
        { "authorizationCodeLifetimeSeconds", new ClientChange { AuthorizationCodeLifetimeSeconds = 301 } },
    };

    [Theory]
    [MemberData(nameof(AboveTheCap))]
    public async Task A_client_lifetime_above_its_maximum_is_refused_on_create_and_update(string field, ClientChange change)
    {
        var created = await _h.Admin.CreateClientAsync(change with { ClientId = "app" }, Actor, CoreHarness.Native);
        await _h.CreateClientAsync("other");
        var updated = await _h.Admin.UpdateClientAsync("other", change, Actor, CoreHarness.Native);
        var many = await _h.ClientQueries.UpdateWhereAsync(null, change, Actor, CoreHarness.Native);

        Assert.Equal(["too_large"], created.Error!.Fields[field]);
        Assert.Equal(["too_large"], updated.Error!.Fields[field]);
        Assert.Equal(["too_large"], many.Error!.Fields[field]);
    }

    [Fact]
    public async Task A_client_lifetime_at_its_maximum_is_accepted()
    {
        var created = await _h.Admin.CreateClientAsync(new ClientChange
        {
            ClientId = "app", AccessTokenLifetimeSeconds = 3600, RefreshTokenLifetimeSeconds = 7 * 86400, AuthorizationCodeLifetimeSeconds = 300,
        }, Actor, CoreHarness.Native);

        Assert.True(created.Succeeded, created.Error?.ToString());
    }

    [Fact]
    public async Task A_lifetime_stored_before_the_maximum_was_lowered_is_held_to_it()
    {
        await _h.CreateClientAsync("app");
        await _h.Database.ChangeAsync<Client>(_h.Database.Clients, "app", c =>
        {
            c.AccessTokenLifetimeSeconds = int.MaxValue;
            c.RefreshTokenLifetimeSeconds = int.MaxValue;
            c.AuthorizationCodeLifetimeSeconds = int.MaxValue;
        });
        var client = (await _h.Admin.GetClientAsync("app")).Value;
        var tokens = _h.Options.Tokens;

        Assert.Equal(TimeSpan.FromHours(1), tokens.AccessLifetimeFor(client));
        Assert.Equal(TimeSpan.FromDays(7), tokens.RefreshLifetimeFor(client));
        Assert.Equal(TimeSpan.FromMinutes(5), tokens.CodeLifetimeFor(client));
        var user = await _h.RegisterAsync("ada@example.com");
        var pair = await _h.SignInAsync(user.Email!, client: client);
        Assert.Equal(_h.Clock.GetUtcNow().AddHours(1), pair.AccessTokenExpiresAt);
        Assert.Equal(_h.Clock.GetUtcNow().AddDays(7), pair.RefreshTokenExpiresAt);
    }

    [Fact]
    public void The_default_maximums_leave_room_for_the_default_lifetimes()
    {
        var defaults = new TokenOptions();

        Assert.True(defaults.AccessTokenLifetime <= defaults.MaximumAccessTokenLifetime);
        Assert.True(defaults.RefreshTokenLifetime <= defaults.MaximumRefreshTokenLifetime);
        Assert.True(defaults.AuthorizationCodeLifetime <= defaults.MaximumAuthorizationCodeLifetime);
        Assert.True(defaults.MaximumAuthorizationCodeLifetime <= TimeSpan.FromMinutes(10));
    }
}
