using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AlertBot.Core.Configuration;

/// <summary>How every project registers its options: bound to their section and validated once, at start-up.</summary>
public static class OptionsRegistration
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to <paramref name="section"/> and checks its data annotations (and
    /// <see cref="System.ComponentModel.DataAnnotations.IValidatableObject"/>) when the host starts, so a bad value
    /// stops the start with its key named rather than failing later.
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions>(this IServiceCollection services, IConfiguration section)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddOptions<TOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
    }

    /// <summary>
    /// <see cref="AddValidatedOptions{TOptions}(IServiceCollection, IConfiguration)"/> with a validator of the options'
    /// own for the rules annotations cannot say (registered once however often this is called).
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions, TValidator>(this IServiceCollection services, IConfiguration section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        var builder = services.AddValidatedOptions<TOptions>(section);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        return builder;
    }
}
