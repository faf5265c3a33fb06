using Gatehouse.Core.Common;

namespace Gatehouse.Core.Tests.Common;

public sealed class SignInOptionsValidatorTests
{
    private readonly SignInOptionsValidator _validator = new();

    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.True(_validator.Validate(null, new SignInOptions()).Succeeded);
    }

    [Fact]
    public void No_free_failures_and_one_failure_before_the_lock_are_allowed()
    {
        Assert.True(_validator.Validate(null, new SignInOptions { FreeFailures = 0, MaximumConsecutiveFailures = 1 }).Succeeded);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public void A_failure_count_outside_1_to_100_names_the_key_and_NIST(int count)
    {
        var failure = Assert.Single(_validator.Validate(null, new SignInOptions { MaximumConsecutiveFailures = count }).Failures!);
        Assert.StartsWith("Gatehouse:SignIn:MaximumConsecutiveFailures must be between 1 and 100 (NIST SP 800-63B 5.2.2", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_free_failures_are_refused()
    {
        var failure = Assert.Single(_validator.Validate(null, new SignInOptions { FreeFailures = -1 }).Failures!);
        Assert.StartsWith("Gatehouse:SignIn:FreeFailures must be 0 or more", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_zero_first_delay_is_refused_because_it_would_switch_throttling_off()
    {
        var failure = Assert.Single(_validator.Validate(null, new SignInOptions { FirstDelay = TimeSpan.Zero }).Failures!);
        Assert.StartsWith("Gatehouse:SignIn:FirstDelay must be positive", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_maximum_delay_below_the_first_delay_is_refused()
    {
        var failure = Assert.Single(_validator.Validate(null, new SignInOptions { FirstDelay = TimeSpan.FromMinutes(2), MaximumDelay = TimeSpan.FromMinutes(1) }).Failures!);
        Assert.StartsWith("Gatehouse:SignIn:MaximumDelay (00:01:00) is below Gatehouse:SignIn:FirstDelay (00:02:00)", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_broken_setting_is_reported_at_once()
    {
        var options = new SignInOptions { FreeFailures = -1, FirstDelay = TimeSpan.FromSeconds(-1), MaximumDelay = TimeSpan.FromSeconds(-2), MaximumConsecutiveFailures = 0 };
        Assert.Equal(4, _validator.Validate(null, options).Failures!.Count());
    }
}
