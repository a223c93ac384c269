using System.ComponentModel.DataAnnotations;
using System.Reflection;
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
    /// <see cref="IValidatableObject"/>) when the host starts, so a bad value stops the start with its key named rather
    /// than failing later. An annotation's message names the setting as <c>{0}</c>: the full key
    /// (<c>AlertBot:Polling:Jitter</c>), so it is spelled once, by the section and the property.
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions>(this IServiceCollection services, IConfigurationSection section)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        // Once however often it is called (LeaseOptions is added by each adapter): a second validator would say every
        // failure twice in the operator's one line.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>>(new AnnotationsValidator<TOptions>(section.Path)));
        return services.AddOptions<TOptions>().Bind(section).ValidateOnStart();
    }

    /// <summary>
    /// <see cref="AddValidatedOptions{TOptions}(IServiceCollection, IConfigurationSection)"/> with a validator of the
    /// options' own for the rules annotations cannot say (registered once however often this is called).
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions, TValidator>(this IServiceCollection services, IConfigurationSection section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        var builder = services.AddValidatedOptions<TOptions>(section);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        return builder;
    }
}

/// <summary>
/// The data annotations of the default <typeparamref name="TOptions"/>, as <c>ValidateDataAnnotations</c> checks them
/// (every property's attributes, then <see cref="IValidatableObject"/> when they pass), with each property shown as
/// its configuration key and each failure as its message alone.
/// </summary>
internal sealed class AnnotationsValidator<TOptions>(string sectionPath) : IValidateOptions<TOptions>
    where TOptions : class
{
    private static readonly PropertyInfo[] Annotated = typeof(TOptions)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.GetIndexParameters().Length == 0 && p.IsDefined(typeof(ValidationAttribute), inherit: true))
        .ToArray();

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        if (name != Options.DefaultName)
        {
            return ValidateOptionsResult.Skip;
        }

        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        foreach (var property in Annotated)
        {
            var context = new ValidationContext(options)
            {
                MemberName = property.Name,
                DisplayName = $"{sectionPath}:{property.Name}",
            };
            var value = property.GetValue(options);
            foreach (var attribute in property.GetCustomAttributes<ValidationAttribute>(inherit: true))
            {
                if (attribute.GetValidationResult(value, context) is { ErrorMessage: { } message })
                {
                    failures.Add(message);
                }
            }
        }

        if (failures.Count == 0 && options is IValidatableObject validatable)
        {
            failures.AddRange(validatable.Validate(new ValidationContext(options))
                .Select(result => result.ErrorMessage)
                .OfType<string>());
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
