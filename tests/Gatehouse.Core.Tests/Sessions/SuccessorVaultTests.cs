using Gatehouse.Core.Common;
using Gatehouse.Core.Sessions;
using Gatehouse.Core.Tests.Fakes;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.Core.Tests.Sessions;

/// <summary>SuccessorVault: a rotated refresh token's successor, readable for the reuse grace only.</summary>
public sealed class SuccessorVaultTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _clock = new(CoreHarness.Start);
    private readonly SuccessorVault _vault;
    private readonly string _successor = SecureTokens.New();
    private readonly string _consumed = SecureTokens.Hash(SecureTokens.New());

    public SuccessorVaultTests() => _vault = Vault();

    private SuccessorVault Vault() => new(_clock, Options.Create(new TokenOptions { RefreshReuseGrace = Grace }));

    [Fact]
    public void A_sealed_successor_opens_for_its_token_and_does_not_show_the_successor()
    {
        var sealedValue = _vault.Seal(_successor, _consumed);

        Assert.DoesNotContain(_successor, sealedValue, StringComparison.Ordinal);
        Assert.NotEqual(sealedValue, _vault.Seal(_successor, _consumed));
        Assert.Equal(_successor, _vault.Open(sealedValue, _consumed));
    }

    [Fact]
    public void A_sealed_successor_opens_throughout_the_grace_and_never_after_twice_the_grace()
    {
        // Sealed at the very end of a period: it must still open a whole grace later.
        _clock.Advance(Grace - TimeSpan.FromMilliseconds(1));
        var sealedValue = _vault.Seal(_successor, _consumed);
        _clock.Advance(Grace);
        Assert.Equal(_successor, _vault.Open(sealedValue, _consumed));

        _clock.Advance(Grace);
        Assert.Null(_vault.Open(sealedValue, _consumed));
    }

    [Fact]
    public void A_sealed_successor_opens_only_for_the_token_it_was_sealed_for_and_only_in_this_vault()
    {
        var sealedValue = _vault.Seal(_successor, _consumed);

        Assert.Null(_vault.Open(sealedValue, SecureTokens.Hash(SecureTokens.New())));
        Assert.Null(Vault().Open(sealedValue, _consumed));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64url!")]
    [InlineData("AQ")]
    public void Anything_that_is_not_a_sealed_value_opens_to_nothing(string value)
    {
        Assert.Null(_vault.Open(value, _consumed));
    }

    [Fact]
    public void A_tampered_sealed_value_opens_to_nothing()
    {
        var sealedValue = _vault.Seal(_successor, _consumed).ToCharArray();
        sealedValue[^3] = sealedValue[^3] == 'A' ? 'B' : 'A';

        Assert.Null(_vault.Open(new string(sealedValue), _consumed));
    }

    [Fact]
    public async Task Sealing_from_many_threads_at_once_gives_values_that_all_open()
    {
        var sealedValues = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => _vault.Seal(_successor, _consumed))));

        Assert.Equal(64, sealedValues.Distinct().Count());
        Assert.All(sealedValues, v => Assert.Equal(_successor, _vault.Open(v, _consumed)));
    }
}
