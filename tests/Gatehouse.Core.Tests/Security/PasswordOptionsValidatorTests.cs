using Gatehouse.Core.Security;

namespace Gatehouse.Core.Tests.Security;

public sealed class PasswordOptionsValidatorTests
{
    private readonly PasswordOptionsValidator _validator = new();

    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.True(_validator.Validate(null, new PasswordOptions()).Succeeded);
    }

    [Fact]
    public void Small_test_parameters_are_allowed()
    {
        var options = new PasswordOptions { Argon2MemoryKiB = 1024, Argon2Iterations = 1, HashingConcurrency = 1 };

        Assert.True(_validator.Validate(null, options).Succeeded);
    }

    [Fact]
    public void A_minimum_length_below_8_names_the_key_and_NIST()
    {
        var result = _validator.Validate(null, new PasswordOptions { MinimumLength = 6 });

        Assert.True(result.Failed);
        Assert.Equal(
            "Gatehouse:Passwords:MinimumLength must be at least 8 (NIST SP 800-63B 5.1.1.2); set it to 8 or more.",
            Assert.Single(result.Failures!));
    }

    [Fact]
    public void A_maximum_length_below_64_is_rejected()
    {
        var result = _validator.Validate(null, new PasswordOptions { MaximumLength = 32 });

        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Gatehouse:Passwords:MaximumLength must be at least 64", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_maximum_length_below_the_minimum_is_rejected()
    {
        var result = _validator.Validate(null, new PasswordOptions { MinimumLength = 100, MaximumLength = 80 });

        var failure = Assert.Single(result.Failures!);
        Assert.Contains("Gatehouse:Passwords:MaximumLength (80) is below Gatehouse:Passwords:MinimumLength (100)", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1023)]
    [InlineData(0)]
    [InlineData(int.MaxValue)]
    public void An_Argon2_memory_cost_out_of_range_is_rejected(int memoryKiB)
    {
        var result = _validator.Validate(null, new PasswordOptions { Argon2MemoryKiB = memoryKiB });

        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Gatehouse:Passwords:Argon2MemoryKiB must be between 1024 and", failure, StringComparison.Ordinal);
        Assert.Contains("19456", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    public void Argon2_iterations_out_of_range_are_rejected(int iterations)
    {
        var result = _validator.Validate(null, new PasswordOptions { Argon2Iterations = iterations });

        Assert.StartsWith("Gatehouse:Passwords:Argon2Iterations must be between 1 and 1000", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public void A_thousand_Argon2_iterations_are_accepted()
    {
        Assert.True(_validator.Validate(null, new PasswordOptions { Argon2Iterations = 1000 }).Succeeded);
    }

    [Fact]
    public void A_negative_hashing_concurrency_is_rejected()
    {
        var result = _validator.Validate(null, new PasswordOptions { HashingConcurrency = -1 });

        Assert.StartsWith("Gatehouse:Passwords:HashingConcurrency must be 0", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_broken_setting_is_reported_at_once()
    {
        var options = new PasswordOptions
        {
            MinimumLength = 4,
            MaximumLength = 10,
            Argon2MemoryKiB = 1,
            Argon2Iterations = 0,
            HashingConcurrency = -2,
        };

        Assert.Equal(5, _validator.Validate(null, options).Failures!.Count());
    }
}
