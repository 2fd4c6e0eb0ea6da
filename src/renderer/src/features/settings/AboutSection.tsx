import { t } from '../../i18n/t'
import { useAppStore } from '../../store/app-store'

/** Which Hush this is and where it keeps its data, for bug reports and peace of mind. */
export function AboutSection() {
  const info = useAppStore((s) => s.info)
  return (
    <section className="stack" data-testid="about">
      <h2>{t('settings.about')}</h2>
      <p className="muted small">{t('settings.about.body')}</p>
      {info && (
        <dl className="about-list">
          <dt>{t('settings.about.version')}</dt>
          <dd>{t('about.version', { version: info.version, runtime: info.runtime })}</dd>
          <dt>{t('settings.about.profile')}</dt>
          <dd>
            <code className="selectable">{info.profile}</code>
          </dd>
        </dl>
      )}
    </section>
  )
}
