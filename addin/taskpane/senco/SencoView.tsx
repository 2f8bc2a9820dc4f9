/** The primary SENCo's pane: three steps, each always saying what comes next. */
import { useState } from 'react';
import { Tab, TabList, makeStyles, tokens } from '@fluentui/react-components';
import type { DescribeError, PaneApi } from '../ports';
import { CheckStep } from './CheckStep';
import { SheetStep } from './SheetStep';
import { SubmitStep } from './SubmitStep';
import { useTransition } from './useTransition';

export type SencoStep = 'sheet' | 'check' | 'submit';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

export function SencoView({ laestab, api, describe, initialStep = 'sheet' }: { laestab: string; api: PaneApi; describe: DescribeError; initialStep?: SencoStep }): JSX.Element {
  const styles = useStyles();
  const model = useTransition({ laestab, api, describe });
  const [step, setStep] = useState<SencoStep>(initialStep);
  return (
    <div className={styles.root}>
      <TabList selectedValue={step} onTabSelect={(_, d) => setStep(d.value as SencoStep)} aria-label="Transition return steps">
        <Tab value="sheet">1 Sheet</Tab>
        <Tab value="check">2 Check</Tab>
        <Tab value="submit">3 Submit</Tab>
      </TabList>
      <div role="tabpanel" aria-label={step === 'sheet' ? 'Sheet' : step === 'check' ? 'Check' : 'Submit'}>
        {step === 'sheet' ? <SheetStep model={model} onNext={() => setStep('check')} describe={describe} /> : null}
        {step === 'check' ? <CheckStep model={model} onNext={() => setStep('submit')} /> : null}
        {step === 'submit' ? <SubmitStep model={model} onCheck={() => setStep('check')} /> : null}
      </div>
    </div>
  );
}
